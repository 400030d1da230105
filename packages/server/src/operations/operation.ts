import type { AuditReader } from "../audit/audit-reader.js";
import type { AccessReview } from "../domain/access/access-review.js";
import type { IdentityService } from "../domain/identity/identity-service.js";
import type { RequestScope } from "../domain/secrets/deps.js";
import type { SecretReader } from "../domain/secrets/secret-reader.js";
import type { SecretWriter } from "../domain/secrets/secret-writer.js";

/** Who is calling, established by SigV4 before any operation runs. */
export interface CallerIdentity {
  accessKeyId: string;
  principal: string;
}

export interface OperationContext {
  scope: RequestScope;
  requestId: string;
  caller: CallerIdentity;
  sourceIp: string;
}

/** The domain services an operation may call. */
export interface OperationServices {
  reader: SecretReader;
  writer: SecretWriter;
  identity: IdentityService;
  review: AccessReview;
  /** The audit trail, for the `coffer.*Audit*` operations. */
  audit: AuditReader;
}

/**
 * One API call: turn the validated wire input into a domain call and the result into the wire
 * output. Input has already passed the service-model validator, so field types hold.
 */
export type Operation = (
  input: Record<string, unknown>,
  context: OperationContext,
  services: OperationServices,
) => Promise<object>;
