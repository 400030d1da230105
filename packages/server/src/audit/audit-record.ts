/**
 * An event ready for storage: its canonical JSON (the bytes the hash chain covers) and the values
 * an engine indexes for queries. Derived here, once, so every engine indexes the same way and
 * `verify` can check an engine's index columns against the event they came from.
 */
import { canonicalJson } from "./canonical-json.js";
import {
  type AuditEvent,
  type AuditOutcome,
  type JsonValue,
  namesSecrets,
  outcomeOf,
  REDACTED,
} from "./event.js";

export interface AuditIndexFields {
  /** Epoch milliseconds of `eventTime`. */
  eventTime: number;
  eventName: string;
  /** `userIdentity.arn` ("" when unauthenticated). */
  principalArn: string;
  /** `userIdentity.accessKeyId` ("" when none). */
  accessKeyId: string;
  outcome: AuditOutcome;
  /** Every way the call named a secret: SecretId as sent, names, ARNs, names inside ARNs. */
  secrets: string[];
}

/**
 * An event as handed to a store: its canonical JSON line, and the event object when the caller
 * had one. Index fields are not derived on the request path: an engine that indexes derives them
 * with {@link indexFieldsOf} when it writes its index (the journal's index does so in the
 * background, when queried).
 */
export interface PreparedAuditRecord {
  json: string;
  event?: AuditEvent | undefined;
  /**
   * Where the event's line starts in the journal, when the record comes from it: an index then
   * keeps this pointer instead of a second copy of the event (docs/adr/0009).
   */
  journalOffset?: number | undefined;
}

const MAX_SECRET_KEYS = 64;
const fullSecretArn = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]*:\d*:secret:(.+)-[A-Za-z0-9]{6}$/;

/** Serializes an event; throws TypeError when the event cannot be stored as JSON. */
export function prepareAuditRecord(event: AuditEvent): PreparedAuditRecord {
  const json = canonicalJson(event);
  // Checked here so a bad event is refused before it is chained, as before.
  if (!Number.isFinite(Date.parse(event.eventTime)))
    throw new TypeError("eventTime must be an ISO 8601 date");
  return { event, json };
}

/** The index fields of a record, from its event or, lacking that, its JSON. */
export function indexFieldsOf(record: PreparedAuditRecord): AuditIndexFields {
  return auditIndexFields(record.event ?? (JSON.parse(record.json) as AuditEvent));
}

export function auditIndexFields(event: AuditEvent): AuditIndexFields {
  const eventTime = Date.parse(event.eventTime);
  if (!Number.isFinite(eventTime)) throw new TypeError("eventTime must be an ISO 8601 date");
  return {
    eventTime,
    eventName: event.eventName,
    principalArn: event.userIdentity.arn,
    accessKeyId: event.userIdentity.accessKeyId,
    outcome: outcomeOf(event),
    secrets: secretKeysOf(event),
  };
}

function secretKeysOf(event: AuditEvent): string[] {
  const keys = new Set<string>();
  const add = (value: JsonValue | undefined) => {
    if (typeof value === "string" && value !== "" && value !== REDACTED && value.length <= 2048)
      keys.add(value);
  };
  const request = namesSecrets(event.eventName) ? (event.requestParameters ?? {}) : {};
  add(request.secretId);
  add(request.name);
  if (Array.isArray(request.secretIdList)) request.secretIdList.forEach(add);
  const response = event.responseElements ?? {};
  add(response.arn);
  add(response.name);
  for (const resource of event.resources ?? []) {
    add(resource.ARN);
    // The resources of a successful call come from the answer, so they are full ARNs.
    if (event.errorCode === undefined) add(fullSecretArn.exec(resource.ARN)?.[1]);
  }
  return [...keys].slice(0, MAX_SECRET_KEYS);
}
