/**
 * The compiled audit line: an event's canonical JSON written directly, member by member, in the
 * order canonical JSON sorts them, with no event object, no model walk and no sort per request.
 *
 * At start, each operation of a service model is compiled once into a projection of its input
 * shape: which members are kept (under their CloudTrail names, pre-sorted), which are
 * {@link REDACTED}, how lists and maps are cut. The line it writes is byte for byte
 * `canonicalJson(createAuditEventBuilder(model)(input))` (a property test holds that), so the hash
 * chain, `coffer audit verify` and old trails are unchanged; only map keys, which are data, are
 * sorted at run time.
 */
import { randomUUID } from "node:crypto";
import type { ServiceModel, Shape } from "../protocol/model.js";
import { sensitiveMembers } from "../protocol/sensitive.js";
import type { AuditEventInput } from "./build-event.js";
import { quote } from "./canonical-json.js";
import {
  AUDIT_EVENT_SOURCE,
  AUDIT_EVENT_VERSION,
  INTENT_PHASE,
  isReadOnlyOperation,
  namesSecrets,
  REDACTED,
  SECRET_RESOURCE_TYPE,
} from "./event.js";
import {
  ALWAYS_HIDDEN_MEMBERS,
  cloudTrailMemberName,
  isPlainObject,
  MAX_LIST_ITEMS,
  RESPONSE_MEMBERS,
  truncate,
} from "./redact-request.js";
import { type AuditCaller, userIdentityOf } from "./user-identity.js";

/** Writes one event's canonical JSON (the line the journal stores and the hash covers). */
export type AuditLineBuilder = (input: AuditEventInput) => string;

/** Writes the JSON of a value, or of REDACTED. */
type Projection = (value: unknown) => string;

const MAX_DEPTH = 16;
const MAX_MESSAGE_LENGTH = 1024;
const MAX_SHORT_FIELD = 256;
const secretArnPattern = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]*:(\d*):secret:.+$/;
const REDACTED_JSON = quote(REDACTED);

interface CompiledOperation {
  /** The operation's input projection; undefined when the model gives it no input. */
  request: Projection | undefined;
  eventName: string;
  readOnly: string;
  namesSecrets: boolean;
}

/** A line builder for one service model: every operation is compiled here, once. */
export function createAuditLineBuilder(model: ServiceModel): AuditLineBuilder {
  const compiler = new ProjectionCompiler(model);
  const operations = new Map<string, CompiledOperation>();
  for (const [name, definition] of Object.entries(model.operations)) {
    operations.set(name, {
      request:
        definition.input === undefined
          ? undefined
          : compiler.compile(definition.input.shape, "", 0, new Set(sensitiveMembers(model, name))),
      ...operationFacts(name),
    });
  }
  const tail = `,"eventSource":${quote(AUDIT_EVENT_SOURCE)}`;
  const versionTail = `,"eventType":"AwsApiCall","eventVersion":${quote(AUDIT_EVENT_VERSION)},"managementEvent":true,"readOnly":`;
  return (input) => {
    const compiled = operations.get(input.operation);
    const facts = compiled ?? operationFacts(input.operation);
    const result = input.result;
    const error = "error" in result ? result.error : undefined;
    const response = "response" in result ? result.response : undefined;
    let requestJson = "null";
    if (compiled?.request !== undefined && isPlainObject(input.request)) {
      const projected = compiled.request(input.request);
      if (projected.charCodeAt(0) === 123 /* { */) requestJson = projected;
    }
    let line = "intent" in result ? `{"additionalEventData":{"auditPhase":${quote(INTENT_PHASE)}},` : "{";
    line += `"awsRegion":${quote(truncate(input.region, MAX_SHORT_FIELD))}`;
    if (error !== undefined) {
      line += `,"errorCode":${quote(truncate(error.awsName, MAX_SHORT_FIELD))},"errorMessage":${quote(truncate(error.message, MAX_MESSAGE_LENGTH))}`;
    }
    line += `,"eventCategory":"Management","eventID":${quote(input.eventId ?? randomUUID())},"eventName":${facts.eventName}`;
    line += `${tail},"eventTime":${quote(new Date(input.time).toISOString())}${versionTail}${facts.readOnly}`;
    line += `,"recipientAccountId":${quote(input.accountId)},"requestID":${quote(truncate(input.requestId, MAX_SHORT_FIELD))}`;
    line += `,"requestParameters":${requestJson}`;
    const resources = resourcesJson(facts.namesSecrets ? input.request : undefined, response);
    if (resources !== undefined) line += `,"resources":${resources}`;
    line += `,"responseElements":${error === undefined ? responseElementsJson(response) : "null"}`;
    line += `,"sourceIPAddress":${quote(truncate(input.sourceIp.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, ""), MAX_SHORT_FIELD))}`;
    line += `,"userAgent":${quote(truncate(input.userAgent ?? "", MAX_MESSAGE_LENGTH))}`;
    return `${line},"userIdentity":${userIdentityJson(input.caller, input.attemptedAccessKeyId)}}`;
  };
}

function operationFacts(operation: string): Omit<CompiledOperation, "request"> {
  const eventName = truncate(operation, MAX_SHORT_FIELD);
  return {
    eventName: quote(eventName),
    readOnly: isReadOnlyOperation(eventName) ? "true" : "false",
    namesSecrets: namesSecrets(eventName),
  };
}

/**
 * Compiles the redaction rules of `redact-request.ts` (the reference, kept for tests) into
 * closures: the per-shape decisions (sensitive? always hidden? which members, in which order?)
 * are taken here, once per (shape, path, depth); children compile on first use, so a recursive
 * model costs only what requests reach.
 */
class ProjectionCompiler {
  constructor(private readonly model: ServiceModel) {}

  compile(shapeName: string, path: string, depth: number, sensitivePaths: ReadonlySet<string>): Projection {
    const shape: Shape | undefined = Object.hasOwn(this.model.shapes, shapeName)
      ? this.model.shapes[shapeName]
      : undefined;
    const redactedUnlessNull: Projection = (value) => (value === null ? "null" : REDACTED_JSON);
    if (shape === undefined || shape.sensitive === true || depth > MAX_DEPTH) return redactedUnlessNull;
    if (path !== "" && sensitivePaths.has(path)) return redactedUnlessNull;
    const lazy = (child: string, childPath: string): Projection => {
      let compiled: Projection | undefined;
      return (value) => {
        compiled ??= this.compile(child, childPath, depth + 1, sensitivePaths);
        return compiled(value);
      };
    };
    switch (shape.type) {
      case "structure": {
        // Members by CloudTrail name, in canonical order. Two wire names may share one CloudTrail
        // name (`ARN`, `Arn`): the last one present wins, as in an object built from the entries.
        const byName = new Map<string, Array<{ member: string; project: Projection }>>();
        for (const [member, ref] of Object.entries(shape.members)) {
          const name = cloudTrailMemberName(member);
          const project: Projection = ALWAYS_HIDDEN_MEMBERS.has(member)
            ? () => REDACTED_JSON
            : lazy(ref.shape, path === "" ? member : `${path}.${member}`);
          byName.set(name, [...(byName.get(name) ?? []), { member, project }]);
        }
        const members = [...byName.keys()].sort().map((name) => ({
          key: `${quote(name)}:`,
          candidates: (byName.get(name) ?? []).reverse(),
        }));
        return (value) => {
          if (value === null) return "null";
          if (!isPlainObject(value)) return REDACTED_JSON;
          let out = "{";
          for (const { key, candidates } of members) {
            for (const { member, project } of candidates) {
              if (!Object.hasOwn(value, member)) continue;
              const memberValue = value[member];
              if (memberValue === undefined) continue;
              out += out.length === 1 ? key : `,${key}`;
              out += project(memberValue);
              break;
            }
          }
          return `${out}}`;
        };
      }
      case "list": {
        const item = lazy(shape.member.shape, `${path}[]`);
        return (value) => {
          if (value === null) return "null";
          if (!Array.isArray(value)) return REDACTED_JSON;
          const count = Math.min(value.length, MAX_LIST_ITEMS);
          let out = "[";
          for (let i = 0; i < count; i++) out += i === 0 ? item(value[i]) : `,${item(value[i])}`;
          return `${out}]`;
        };
      }
      case "map": {
        const item = lazy(shape.value.shape, `${path}{}`);
        return (value) => {
          if (value === null) return "null";
          if (!isPlainObject(value)) return REDACTED_JSON;
          // Map keys are data: the one place a sort remains. Truncation may make two keys equal;
          // the later one wins, as in an object built from the entries.
          const projected = new Map<string, string>();
          for (const [key, entry] of Object.entries(value).slice(0, MAX_LIST_ITEMS)) {
            projected.set(truncate(key), item(entry));
          }
          const keys = [...projected.keys()].sort();
          let out = "{";
          for (const key of keys) out += `${out.length === 1 ? "" : ","}${quote(key)}:${projected.get(key)}`;
          return `${out}}`;
        };
      }
      case "string":
      case "blob":
      case "timestamp":
        return (value) => (typeof value === "string" ? quote(truncate(value)) : scalar(value));
      default:
        return scalar;
    }
  }
}

function scalar(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number" && Number.isFinite(value)) return JSON.stringify(value);
  return REDACTED_JSON;
}

/** `responseElementsOf` of redact-request.ts, written as JSON (its members are already in order). */
function responseElementsJson(response: unknown): string {
  if (!isPlainObject(response)) return "null";
  let out = "{";
  for (const member of RESPONSE_MEMBERS) {
    if (!Object.hasOwn(response, member)) continue;
    const value = response[member];
    let json: string;
    if (typeof value === "string") json = quote(truncate(value));
    else if (Array.isArray(value) && value.every((item) => typeof item === "string")) {
      json = `[${value
        .slice(0, MAX_LIST_ITEMS)
        .map((item: string) => quote(truncate(item)))
        .join(",")}]`;
    } else continue;
    out += `${out.length === 1 ? "" : ","}${quote(cloudTrailMemberName(member))}:${json}`;
  }
  return out.length === 1 ? "null" : `${out}}`;
}

/** `resourcesOf` of build-event.ts, written as JSON; undefined when there are none. */
function resourcesJson(request: unknown, response: unknown): string | undefined {
  const arns: unknown[] = [];
  if (isPlainObject(response)) {
    if (typeof response.ARN === "string") arns.push(response.ARN);
    if (Array.isArray(response.SecretValues)) {
      for (const item of response.SecretValues) if (isPlainObject(item)) arns.push(item.ARN);
    }
  }
  if (!arns.some((arn) => typeof arn === "string") && isPlainObject(request)) arns.push(request.SecretId);
  let out = "";
  let count = 0;
  const seen = new Set<string>();
  for (const arn of arns) {
    if (typeof arn !== "string" || seen.has(arn)) continue;
    seen.add(arn);
    const match = secretArnPattern.exec(arn);
    if (match === null || arn.length > 2048) continue;
    out += `${count === 0 ? "[" : ","}{"ARN":${quote(arn)},"accountId":${quote(match[1] ?? "")},"type":${quote(SECRET_RESOURCE_TYPE)}}`;
    if (++count === 100) break;
  }
  return count === 0 ? undefined : `${out}]`;
}

function userIdentityJson(caller: AuditCaller | undefined, attemptedAccessKeyId: string | undefined): string {
  const identity = userIdentityOf(caller, attemptedAccessKeyId);
  let out = `{"accessKeyId":${quote(identity.accessKeyId)},"accountId":${quote(identity.accountId)},"arn":${quote(identity.arn)},"type":${quote(identity.type)}`;
  if (identity.userName !== undefined) out += `,"userName":${quote(identity.userName)}`;
  return `${out}}`;
}
