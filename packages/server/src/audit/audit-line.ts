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
import { type AuditEventInput, isDuration } from "./build-event.js";
import { canonicalJson, quote } from "./canonical-json.js";
import {
  AUDIT_EVENT_SOURCE,
  AUDIT_EVENT_VERSION,
  type AuditUserIdentity,
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
import { type AuditCaller, userIdentityOf, webIdentityUserOf } from "./user-identity.js";

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
  /** `,"eventName":…,"eventSource":…,"eventTime":`: constant per operation. */
  nameToTime: string;
  /** `,"eventType":…,"readOnly":…,"recipientAccountId":`: constant per operation. */
  typeToAccount: string;
}

/** The most entries a fragment cache keeps; a full cache starts over (callers, agents, IPs are few). */
const MAX_CACHED_FRAGMENTS = 1024;

/**
 * Memoized JSON fragments of values that repeat from request to request (region, account, the
 * caller's identity, user agent, source address, a secret's ARN): written once, reused while
 * cached. Bounded: a flood of distinct values costs a cleared map now and then, never memory.
 */
class FragmentCache<V = string> {
  private readonly map = new Map<string, V>();
  constructor(private readonly write: (key: string) => V) {}

  get(key: string): V {
    let value = this.map.get(key);
    if (value === undefined) {
      value = this.write(key);
      if (this.map.size >= MAX_CACHED_FRAGMENTS) this.map.clear();
      this.map.set(key, value);
    }
    return value;
  }
}

/** The largest time a Date holds (ECMA-262 TimeClip); past it toISOString throws. */
const MAX_TIME = 8.64e15;

/** `000Z"` … `999Z"`: the milliseconds of an eventTime and the rest of its literal. */
const MILLIS_TAIL = Array.from({ length: 1000 }, (_, ms) => `${String(ms).padStart(3, "0")}Z"`);

/** A line builder for one service model: every operation is compiled here, once. */
export function createAuditLineBuilder(
  model: ServiceModel,
  eventSource: string = AUDIT_EVENT_SOURCE,
): AuditLineBuilder {
  const eventSourceJson = quote(eventSource);
  const compiler = new ProjectionCompiler(model);
  const operations = new Map<string, CompiledOperation>();
  for (const [name, definition] of Object.entries(model.operations)) {
    operations.set(name, {
      request:
        definition.input === undefined
          ? undefined
          : compiler.compile(definition.input.shape, "", 0, new Set(sensitiveMembers(model, name))),
      ...operationFacts(name, eventSourceJson),
    });
  }
  // Fragments of values that repeat, per builder (so per server): see FragmentCache.
  const regions = new FragmentCache((region) => `"awsRegion":${quote(truncate(region, MAX_SHORT_FIELD))}`);
  const accounts = new FragmentCache((account) => `${quote(account)},"requestID":`);
  const sources = new FragmentCache(
    (ip) =>
      `,"sourceIPAddress":${quote(truncate(ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, ""), MAX_SHORT_FIELD))}`,
  );
  const agents = new FragmentCache(
    (agent) => `,"userAgent":${quote(truncate(agent, MAX_MESSAGE_LENGTH))},"userIdentity":`,
  );
  const resources = new FragmentCache<string | null>((arn) => resourcesJson(undefined, { ARN: arn }) ?? null);
  const identities = new UserIdentityCache();
  // eventTime: the text up to the milliseconds, for the last second written (times come in order).
  let cachedSecond = Number.NaN;
  let secondPrefix = "";
  const eventTimeJson = (time: Date | number): string => {
    if (typeof time !== "number" || !Number.isSafeInteger(time) || Math.abs(time) > MAX_TIME)
      return quote(new Date(time).toISOString());
    const second = Math.floor(time / 1000);
    if (second !== cachedSecond) {
      const iso = new Date(second * 1000).toISOString(); // throws RangeError out of range, as before
      secondPrefix = `"${iso.slice(0, -4)}`; // up to and including the "."
      cachedSecond = second;
    }
    return secondPrefix + MILLIS_TAIL[time - second * 1000];
  };
  return (input) => {
    const compiled = operations.get(input.operation) ?? compileUnknown(input.operation, eventSourceJson);
    const result = input.result;
    const error = "error" in result ? result.error : undefined;
    const response = "response" in result ? result.response : undefined;
    let requestJson = "null";
    if (compiled.request !== undefined && isPlainObject(input.request)) {
      const projected = compiled.request(input.request);
      if (projected.charCodeAt(0) === 123 /* { */) requestJson = projected;
    }
    let line = "intent" in result ? INTENT_PREFIX : "{";
    if (line === "{" && isDuration(input.durationMs)) {
      // -0 is written as 0, as canonical JSON writes it.
      line += `"additionalEventData":{"durationMs":${JSON.stringify(input.durationMs === 0 ? 0 : input.durationMs)}},`;
    }
    line += regions.get(input.region);
    if (error !== undefined) {
      line += `,"errorCode":${quote(truncate(error.awsName, MAX_SHORT_FIELD))},"errorMessage":${quote(truncate(error.message, MAX_MESSAGE_LENGTH))}`;
    }
    line += `,"eventCategory":"Management","eventID":${input.eventId === undefined ? `"${randomUUID()}"` : quote(input.eventId)}`;
    line +=
      compiled.nameToTime +
      eventTimeJson(input.time) +
      compiled.typeToAccount +
      accounts.get(input.accountId);
    line += `${quote(truncate(input.requestId, MAX_SHORT_FIELD))},"requestParameters":${requestJson}`;
    const request = compiled.namesSecrets ? input.request : undefined;
    const resourceList =
      isPlainObject(response) && typeof response.ARN === "string" && !Array.isArray(response.SecretValues)
        ? (resources.get(response.ARN) ?? undefined) // the usual answer: one ARN
        : resourcesJson(request, response);
    if (resourceList !== undefined) line += `,"resources":${resourceList}`;
    line += `,"responseElements":${error === undefined ? responseElementsJson(response) : "null"}`;
    line += sources.get(input.sourceIp) + agents.get(input.userAgent ?? "");
    const identity =
      input.caller === undefined && input.webIdentity !== undefined
        ? identityJson(webIdentityUserOf(input.webIdentity))
        : identities.get(input.caller, input.attemptedAccessKeyId);
    return `${line + identity}}`;
  };
}

const INTENT_PREFIX = `{"additionalEventData":{"auditPhase":${quote(INTENT_PHASE)}},`;
const EVENT_VERSION_JSON = quote(AUDIT_EVENT_VERSION);

/** An operation the model does not define: its facts, computed per call (not a cache an attacker fills). */
function compileUnknown(operation: string, eventSourceJson: string): CompiledOperation {
  return { request: undefined, ...operationFacts(operation, eventSourceJson) };
}

/**
 * The `userIdentity` JSON of each caller, by access key id; a caller whose principal changed under
 * the same key is written afresh. Unauthenticated calls (no caller) are not cached: they are rare,
 * and what they claim is chosen by whoever sends them.
 */
class UserIdentityCache {
  private readonly byAccessKey = new Map<string, { principal: string; json: string }>();

  get(caller: AuditCaller | undefined, attemptedAccessKeyId: string | undefined): string {
    if (caller === undefined) return userIdentityJson(undefined, attemptedAccessKeyId);
    const cached = this.byAccessKey.get(caller.accessKeyId);
    if (cached !== undefined && cached.principal === caller.principal) return cached.json;
    const json = userIdentityJson(caller, attemptedAccessKeyId);
    if (this.byAccessKey.size >= MAX_CACHED_FRAGMENTS) this.byAccessKey.clear();
    this.byAccessKey.set(caller.accessKeyId, { principal: caller.principal, json });
    return json;
  }
}

function operationFacts(operation: string, eventSourceJson: string): Omit<CompiledOperation, "request"> {
  const eventName = truncate(operation, MAX_SHORT_FIELD);
  const facts = {
    eventName: quote(eventName),
    readOnly: isReadOnlyOperation(eventName) ? "true" : "false",
    namesSecrets: namesSecrets(eventName),
  };
  return {
    ...facts,
    nameToTime: `,"eventName":${facts.eventName},"eventSource":${eventSourceJson},"eventTime":`,
    typeToAccount: `,"eventType":"AwsApiCall","eventVersion":${EVENT_VERSION_JSON},"managementEvent":true,"readOnly":${facts.readOnly},"recipientAccountId":`,
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

// responseElementsJson reads the members by name (a keyed load per member is what cost here).
if (RESPONSE_MEMBERS.join() !== "ARN,Name,VersionId,VersionStages")
  throw new Error("audit-line.ts: responseElementsJson must follow RESPONSE_MEMBERS");

/** `responseElementsOf` of redact-request.ts, written as JSON (its members are already in order). */
function responseElementsJson(response: unknown): string {
  if (!isPlainObject(response)) return "null";
  let out = "";
  if (Object.hasOwn(response, "ARN")) out = memberJson(out, '"arn":', response.ARN);
  if (Object.hasOwn(response, "Name")) out = memberJson(out, '"name":', response.Name);
  if (Object.hasOwn(response, "VersionId")) out = memberJson(out, '"versionId":', response.VersionId);
  if (Object.hasOwn(response, "VersionStages"))
    out = memberJson(out, '"versionStages":', response.VersionStages);
  return out === "" ? "null" : `${out}}`;
}

/** `out` and one response member: a string, or a list of strings; anything else is left out. */
function memberJson(out: string, key: string, value: unknown): string {
  let json: string;
  if (typeof value === "string") json = quote(truncate(value));
  else if (Array.isArray(value) && allStrings(value)) {
    const count = Math.min(value.length, MAX_LIST_ITEMS);
    json = "[";
    for (let i = 0; i < count; i++) json += (i === 0 ? "" : ",") + quote(truncate(value[i] as string));
    json += "]";
  } else return out;
  return (out === "" ? "{" : `${out},`) + key + json;
}

function allStrings(values: readonly unknown[]): boolean {
  for (const value of values) if (typeof value !== "string") return false;
  return true;
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
  return identityJson(userIdentityOf(caller, attemptedAccessKeyId));
}

/** Members in canonical order: accessKeyId, accountId, arn, identityProvider, principalId, sessionContext, type, userName. */
function identityJson(identity: AuditUserIdentity): string {
  let out = `{"accessKeyId":${quote(identity.accessKeyId)},"accountId":${quote(identity.accountId)},"arn":${quote(identity.arn)}`;
  if (identity.identityProvider !== undefined)
    out += `,"identityProvider":${quote(identity.identityProvider)}`;
  if (identity.principalId !== undefined) out += `,"principalId":${quote(identity.principalId)}`;
  if (identity.sessionContext !== undefined)
    out += `,"sessionContext":${canonicalJson(identity.sessionContext)}`;
  out += `,"type":${quote(identity.type)}`;
  if (identity.userName !== undefined) out += `,"userName":${quote(identity.userName)}`;
  return `${out}}`;
}
