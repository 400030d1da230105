import type { WebIdentityCaller } from "../domain/identity/sts/role-sessions.js";
import type { RoleSessionRecord } from "../domain/ports/identity-store.js";

/** What the request handler tells the audit trail about every request, allowed or not. */
export interface RequestRecord {
  /** The operation as named by the client (`GetSecretValue`, `CreateUser`, `SubscribeToChanges`), if known. */
  operation: string | undefined;
  /** `secretsmanager`, `coffer` or `sts`. */
  api: string;
  region: string | undefined;
  /** The signed caller; undefined until SigV4 established one, and for an unsigned operation. */
  caller: { principal: string; accessKeyId: string; session?: RoleSessionRecord | undefined } | undefined;
  /**
   * An unsigned operation's caller, once it proved who it is (AssumeRoleWithWebIdentity: its
   * token's provider, subject and audience, told by the operation through
   * `OperationContext.noteWebIdentity`). Never the token.
   */
  webIdentity?: WebIdentityCaller | undefined;
  /** The access key id a failed authentication claimed, if it could be read. */
  claimedAccessKeyId: string | undefined;
  sourceIp: string;
  userAgent: string | undefined;
  requestId: string;
  time: number;
  /**
   * `performance.now()` when the request was received: its outcome event carries the time from
   * here to the moment the outcome is written (`additionalEventData.durationMs`).
   */
  startedAt?: number | undefined;
  input: Record<string, unknown> | undefined;
  output: object | undefined;
  error: { awsName: string; message: string } | undefined;
  /** This is the write-ahead event of a change: recorded before the operation runs. */
  intent?: boolean;
  /** The change's intent has been recorded (so a failure to record its outcome leaves a trace). */
  intended?: boolean;
}

/** Resolves once the record is durable; rejects if it could not be written (the request then fails). */
export type RequestAudit = (record: RequestRecord) => Promise<void>;
