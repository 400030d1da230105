/**
 * Turns one finished API call into its CloudTrail record. Pure: the same input gives the same
 * event (pass `eventId` to make it fully deterministic; otherwise a random UUID is drawn).
 */
import { randomUUID } from "node:crypto";
import { loadServiceModel, type ServiceModel } from "../protocol/model.js";
import {
  AUDIT_EVENT_SOURCE,
  AUDIT_EVENT_VERSION,
  type AuditEvent,
  type AuditResource,
  INTENT_PHASE,
  isReadOnlyOperation,
  namesSecrets,
  SECRET_RESOURCE_TYPE,
} from "./event.js";
import { createRequestRedactor, isPlainObject, responseElementsOf, truncate } from "./redact-request.js";
import {
  type AuditCaller,
  type AuditWebIdentity,
  userIdentityOf,
  webIdentityUserOf,
} from "./user-identity.js";

export interface AuditEventInput {
  /** The operation named by `X-Amz-Target`, e.g. "GetSecretValue" (may be one the model lacks). */
  operation: string;
  region: string;
  /** The server's account: `recipientAccountId`. */
  accountId: string;
  /** The authenticated caller; undefined when authentication failed or never ran. */
  caller: AuditCaller | undefined;
  /** For an unauthenticated call: the access key id its Authorization header claimed, if any. */
  attemptedAccessKeyId?: string | undefined;
  /** AssumeRoleWithWebIdentity, once its token was verified: who the token proved to be. */
  webIdentity?: AuditWebIdentity | undefined;
  sourceIp: string;
  userAgent: string | undefined;
  /** The parsed request body as received (before or after validation); anything goes. */
  request: unknown;
  /** What the caller was answered; `intent` for the write-ahead event of a change (no answer yet). */
  result: { response: unknown } | { error: { awsName: string; message: string } } | { intent: true };
  requestId: string;
  /** When the call was received: a Date or epoch milliseconds. */
  time: Date | number;
  eventId?: string | undefined;
  /**
   * An outcome's duration: milliseconds from receiving the request to writing this event
   * (`additionalEventData.durationMs`). Ignored for an intent; a non-finite or negative one is left out.
   */
  durationMs?: number | undefined;
}

const secretArnPattern = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]*:(\d*):secret:.+$/;
const MAX_MESSAGE_LENGTH = 1024;
const MAX_SHORT_FIELD = 256;

export type AuditEventBuilder = (input: AuditEventInput) => AuditEvent;

/** A builder bound to a service model (which decides what is sensitive) and its event source. */
export function createAuditEventBuilder(
  model: ServiceModel,
  eventSource: string = AUDIT_EVENT_SOURCE,
): AuditEventBuilder {
  const redact = createRequestRedactor(model);
  return (input) => {
    const error = "error" in input.result ? input.result.error : undefined;
    const response = "response" in input.result ? input.result.response : undefined;
    const operation = truncate(input.operation, MAX_SHORT_FIELD);
    const resources = resourcesOf(namesSecrets(operation) ? input.request : undefined, response);
    const event: AuditEvent = {
      eventVersion: AUDIT_EVENT_VERSION,
      userIdentity:
        input.caller === undefined && input.webIdentity !== undefined
          ? webIdentityUserOf(input.webIdentity)
          : userIdentityOf(input.caller, input.attemptedAccessKeyId),
      eventTime: new Date(input.time).toISOString(),
      eventSource,
      eventName: operation,
      awsRegion: truncate(input.region, MAX_SHORT_FIELD),
      sourceIPAddress: truncate(
        input.sourceIp.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, ""),
        MAX_SHORT_FIELD,
      ),
      userAgent: truncate(input.userAgent ?? "", MAX_MESSAGE_LENGTH),
      requestParameters: redact(input.operation, input.request),
      responseElements: error === undefined ? responseElementsOf(response) : null,
      requestID: truncate(input.requestId, MAX_SHORT_FIELD),
      eventID: input.eventId ?? randomUUID(),
      readOnly: isReadOnlyOperation(operation),
      eventType: "AwsApiCall",
      managementEvent: true,
      eventCategory: "Management",
      recipientAccountId: input.accountId,
    };
    if (error !== undefined) {
      event.errorCode = truncate(error.awsName, MAX_SHORT_FIELD);
      event.errorMessage = truncate(error.message, MAX_MESSAGE_LENGTH);
    }
    if (resources.length > 0) event.resources = resources;
    if ("intent" in input.result) event.additionalEventData = { auditPhase: INTENT_PHASE };
    else if (isDuration(input.durationMs)) event.additionalEventData = { durationMs: input.durationMs };
    return event;
  };
}

/** A duration an event can carry: a finite number of milliseconds, not negative. */
export function isDuration(value: number | undefined): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

let defaultBuilder: AuditEventBuilder | undefined;

/** {@link createAuditEventBuilder} over the bundled Secrets Manager model. */
export function buildAuditEvent(input: AuditEventInput): AuditEvent {
  defaultBuilder ??= createAuditEventBuilder(loadServiceModel());
  return defaultBuilder(input);
}

/**
 * The secrets a call touched: the ARNs in the answer (the secret itself, or each secret of a
 * BatchGetSecretValue); failing that, a SecretId sent as an ARN.
 */
function resourcesOf(request: unknown, response: unknown): AuditResource[] {
  const arns: string[] = [];
  if (isPlainObject(response)) {
    arns.push(...stringsIn([response.ARN]));
    if (Array.isArray(response.SecretValues)) {
      arns.push(
        ...stringsIn(response.SecretValues.map((item) => (isPlainObject(item) ? item.ARN : undefined))),
      );
    }
  }
  if (arns.length === 0 && isPlainObject(request)) arns.push(...stringsIn([request.SecretId]));
  const resources: AuditResource[] = [];
  for (const arn of new Set(arns)) {
    const match = secretArnPattern.exec(arn);
    if (match === null || arn.length > 2048) continue;
    resources.push({ ARN: arn, accountId: match[1] ?? "", type: SECRET_RESOURCE_TYPE });
    if (resources.length === 100) break;
  }
  return resources;
}

function stringsIn(values: unknown[]): string[] {
  return values.filter((value): value is string => typeof value === "string");
}
