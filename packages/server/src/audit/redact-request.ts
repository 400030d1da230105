/**
 * What of a request and its answer may enter the audit trail.
 *
 * The request is walked along the operation's input shape from the service model:
 * - members the model marks sensitive (every path `sensitiveMembers` names, and any shape flagged
 *   `sensitive`) and members with a name in {@link ALWAYS_HIDDEN_MEMBERS} become {@link REDACTED};
 * - members the model does not know are left out, so nothing unclassified is stored;
 * - a value of the wrong JSON type for its shape (a request that failed validation) is REDACTED
 *   rather than descended into;
 * - strings are cut at {@link MAX_STRING_LENGTH} characters, lists at {@link MAX_LIST_ITEMS} items.
 * Structure member names become CloudTrail's (`SecretId` → `secretId`, `ARN` → `arn`); map keys
 * are data and stay as sent. An operation the model does not define gives `null`.
 *
 * The answer is allow-listed: only the identifiers in {@link RESPONSE_MEMBERS}.
 */
import type { ServiceModel, Shape } from "../protocol/model.js";
import { sensitiveMembers } from "../protocol/sensitive.js";
import { type JsonObject, type JsonValue, REDACTED } from "./event.js";

/** Hidden wherever they appear, whatever the model says: defense in depth. */
export const ALWAYS_HIDDEN_MEMBERS: ReadonlySet<string> = new Set([
  "SecretString",
  "SecretBinary",
  "RotationToken",
  "RandomPassword",
  "Password",
  "SecretAccessKey",
  "SessionToken",
  "PrivateKey",
]);

/** The response members the trail records: identifiers of the secret, never values. */
export const RESPONSE_MEMBERS: readonly string[] = ["ARN", "Name", "VersionId", "VersionStages"];

export const MAX_STRING_LENGTH = 2048;
export const MAX_LIST_ITEMS = 100;
const MAX_DEPTH = 16;

/** CloudTrail's member naming: `SecretId` → `secretId`, an all-capitals name (`ARN`) → `arn`. */
export function cloudTrailMemberName(wireName: string): string {
  if (/^[A-Z0-9]+$/.test(wireName)) return wireName.toLowerCase();
  return wireName.charAt(0).toLowerCase() + wireName.slice(1);
}

export type RequestRedactor = (operation: string, request: unknown) => JsonObject | null;

/** A redactor for one service model; the plan of each operation is computed once. */
export function createRequestRedactor(model: ServiceModel): RequestRedactor {
  const plans = new Map<string, { inputShape: string; sensitivePaths: ReadonlySet<string> } | null>();
  const planFor = (operation: string) => {
    let plan = plans.get(operation);
    if (plan === undefined) {
      const definition = Object.hasOwn(model.operations, operation) ? model.operations[operation] : undefined;
      plan =
        definition?.input === undefined
          ? null
          : {
              inputShape: definition.input.shape,
              sensitivePaths: new Set(sensitiveMembers(model, operation)),
            };
      if (plans.size < 1000) plans.set(operation, plan);
    }
    return plan;
  };
  return (operation, request) => {
    const plan = planFor(operation);
    if (plan === null || !isPlainObject(request)) return null;
    const walker = new Walker(model, plan.sensitivePaths);
    const result = walker.value(plan.inputShape, request, "", 0);
    return isPlainObject(result) ? (result as JsonObject) : null;
  };
}

class Walker {
  constructor(
    private readonly model: ServiceModel,
    private readonly sensitivePaths: ReadonlySet<string>,
  ) {}

  value(shapeName: string, value: unknown, path: string, depth: number): JsonValue {
    if (value === null) return null;
    const shape: Shape | undefined = Object.hasOwn(this.model.shapes, shapeName)
      ? this.model.shapes[shapeName]
      : undefined;
    if (shape === undefined || shape.sensitive === true || depth > MAX_DEPTH) return REDACTED;
    if (path !== "" && this.sensitivePaths.has(path)) return REDACTED;
    switch (shape.type) {
      case "structure": {
        if (!isPlainObject(value)) return REDACTED;
        const entries: Array<[string, JsonValue]> = [];
        for (const [member, ref] of Object.entries(shape.members)) {
          if (!Object.hasOwn(value, member)) continue;
          const memberValue = value[member];
          if (memberValue === undefined) continue;
          const memberPath = path === "" ? member : `${path}.${member}`;
          entries.push([
            cloudTrailMemberName(member),
            ALWAYS_HIDDEN_MEMBERS.has(member)
              ? REDACTED
              : this.value(ref.shape, memberValue, memberPath, depth + 1),
          ]);
        }
        return Object.fromEntries(entries);
      }
      case "list": {
        if (!Array.isArray(value)) return REDACTED;
        return value
          .slice(0, MAX_LIST_ITEMS)
          .map((item) => this.value(shape.member.shape, item, `${path}[]`, depth + 1));
      }
      case "map": {
        if (!isPlainObject(value)) return REDACTED;
        return Object.fromEntries(
          Object.entries(value)
            .slice(0, MAX_LIST_ITEMS)
            .map(([key, item]) => [
              truncate(key),
              this.value(shape.value.shape, item, `${path}{}`, depth + 1),
            ]),
        );
      }
      case "string":
      case "blob":
      case "timestamp":
        return typeof value === "string" ? truncate(value) : scalar(value);
      default:
        return scalar(value);
    }
  }
}

function scalar(value: unknown): JsonValue {
  if (typeof value === "boolean") return value;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  return REDACTED;
}

/** The allow-listed identifiers of an answer, or null when it has none. */
export function responseElementsOf(response: unknown): JsonObject | null {
  if (!isPlainObject(response)) return null;
  const entries: Array<[string, JsonValue]> = [];
  for (const member of RESPONSE_MEMBERS) {
    if (!Object.hasOwn(response, member)) continue;
    const value = response[member];
    if (typeof value === "string") entries.push([cloudTrailMemberName(member), truncate(value)]);
    else if (Array.isArray(value) && value.every((item) => typeof item === "string")) {
      entries.push([
        cloudTrailMemberName(member),
        value.slice(0, MAX_LIST_ITEMS).map((item) => truncate(item)),
      ]);
    }
  }
  return entries.length === 0 ? null : Object.fromEntries(entries);
}

export function truncate(text: string, max = MAX_STRING_LENGTH): string {
  return text.length <= max ? text : `${text.slice(0, max)}…(${text.length - max} more characters)`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
