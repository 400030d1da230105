/**
 * The audit record: one AWS CloudTrail event (record format 1.08) per API call, so tools that read
 * CloudTrail (SIEM rules, Athena tables, jq one-liners) read Coffer's trail unchanged.
 *
 * As CloudTrail does for Secrets Manager, member names inside `requestParameters` and
 * `responseElements` are the wire names with a lower-case first letter (`secretId`, `arn`,
 * `versionStages`). Secret material never appears: sensitive members hold {@link REDACTED}.
 */

export const AUDIT_EVENT_VERSION = "1.08";
export const AUDIT_EVENT_SOURCE = "secretsmanager.amazonaws.com";
export const SECRET_RESOURCE_TYPE = "AWS::SecretsManager::Secret";
/** What CloudTrail writes in place of a value it must not record. */
export const REDACTED = "HIDDEN_DUE_TO_SECURITY_REASONS";

/** A JSON value as stored: what canonical JSON accepts. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** `LocalOperator`: someone at the server's data folder (`coffer admin recover`), named by OS user. */
/** `CofferService`: the server itself, for events no caller asked for (an audit-trail outage). */
/** `WebIdentityUser`: a workload exchanging its OIDC token for a role session (AssumeRoleWithWebIdentity). */
export type UserIdentityType =
  | "IAMUser"
  | "AssumedRole"
  | "WebIdentityUser"
  | "LocalOperator"
  | "CofferService"
  | "Unknown";

export interface AuditUserIdentity {
  type: UserIdentityType;
  /** The principal's ARN; "" when the caller was not authenticated. */
  arn: string;
  /** The principal's account; "" when unknown. */
  accountId: string;
  /** The access key the request was signed with (or claimed to be); "" when none was given. */
  accessKeyId: string;
  /** IAM users only: the last segment of the user ARN; web identities: the token's subject. */
  userName?: string;
  /** Role sessions: `<role id>:<session name>`; web identities: `<issuer>:<audience>:<subject>` (CloudTrail's). */
  principalId?: string;
  /** Web identities: the token's issuer. */
  identityProvider?: string;
  /**
   * Role sessions (CloudTrail's `sessionContext`): `sessionIssuer` (the role), `attributes`
   * (`creationDate`), `webIdFederationData` (provider, subject, audience) or `assumedBy` (the
   * caller who assumed it), `sourceIdentity`, and — a Coffer addition — `sessionTags`.
   */
  sessionContext?: JsonObject;
}

export interface AuditResource {
  ARN: string;
  accountId: string;
  type: typeof SECRET_RESOURCE_TYPE;
}

export interface AuditEvent {
  eventVersion: typeof AUDIT_EVENT_VERSION;
  userIdentity: AuditUserIdentity;
  /** ISO 8601, UTC, millisecond precision. */
  eventTime: string;
  /** `secretsmanager.amazonaws.com` ({@link AUDIT_EVENT_SOURCE}; Coffer's admin API too), `sts.amazonaws.com`. */
  eventSource: string;
  /** The operation, e.g. "GetSecretValue". */
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent: string;
  /** The request with sensitive members redacted and unmodelled members left out; null when unknown. */
  requestParameters: JsonObject | null;
  /** Only identifiers of the secret touched (arn, name, versionId, versionStages); never values. */
  responseElements: JsonObject | null;
  /** Present only when the call failed: the AWS error name. */
  errorCode?: string;
  errorMessage?: string;
  requestID: string;
  eventID: string;
  readOnly: boolean;
  /** The secrets the call addressed, when known. */
  resources?: AuditResource[];
  /**
   * `{"auditPhase": "intent"}` marks the event written BEFORE a change is attempted (write-ahead,
   * docs/adr/0005): the request as received, with no answer yet. Its outcome follows in a second
   * event with the same `requestID`. Other events use it for facts CloudTrail has no field for.
   */
  additionalEventData?: JsonObject;
  eventType: "AwsApiCall" | "AwsServiceEvent";
  managementEvent: true;
  eventCategory: "Management";
  recipientAccountId: string;
}

/** The result of a call as the audit trail sees it; `intent` is a change announced, not yet done. */
export type AuditOutcome = "success" | "denied" | "error" | "intent";

export const INTENT_PHASE = "intent";

/** Whether this is the write-ahead event of a change rather than the outcome of a call. */
export function isIntent(event: Pick<AuditEvent, "additionalEventData">): boolean {
  return event.additionalEventData?.auditPhase === INTENT_PHASE;
}

// ReportClientMetrics changes no resource: its own event is all it records (no intent ahead of it).
const readOnlyOperation =
  /^(Get|Describe|List|BatchGet|Validate|QueryAudit|TailAudit|VerifyAudit|SubscribeToChanges$|ReportClientMetrics$)/;

/**
 * Whether an operation only reads. Every other operation — including any name not known here —
 * is treated as a change: it is audited ahead (an intent before it runs, docs/adr/0005).
 */
export function isReadOnlyOperation(operation: string): boolean {
  return readOnlyOperation.test(operation);
}

/**
 * Errors that mean the caller was refused (authentication or authorization), as opposed to a call
 * that was let through and then failed.
 */
export const DENIED_ERROR_CODES: ReadonlySet<string> = new Set([
  "AccessDeniedException",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "IncompleteSignatureException",
  "MissingAuthenticationTokenException",
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
  "ExpiredTokenException",
  // STS's names for the same refusals (the Query protocol's codes, as its clients see them), and a
  // web identity token refused or not trusted.
  "AccessDenied",
  "MissingAuthenticationToken",
  "IncompleteSignature",
  "ExpiredToken",
  "InvalidIdentityToken",
  "IDPRejectedClaim",
]);

export function outcomeOf(event: Pick<AuditEvent, "errorCode" | "additionalEventData">): AuditOutcome {
  if (isIntent(event)) return "intent";
  if (event.errorCode === undefined) return "success";
  return DENIED_ERROR_CODES.has(event.errorCode) ? "denied" : "error";
}

/**
 * Operations whose SecretId filters the audit trail rather than naming a secret the call touched:
 * searching the trail for a secret is not access to it, so such an event is not indexed or shown
 * under that secret.
 */
const AUDIT_FILTER_OPERATIONS: ReadonlySet<string> = new Set(["QueryAuditEvents"]);

/** Whether the request's SecretId / Name name a secret the call acts on. */
export function namesSecrets(operation: string): boolean {
  return !AUDIT_FILTER_OPERATIONS.has(operation);
}
