import type { AuditReader } from "../audit/audit-reader.js";
import type { AccessReview } from "../domain/access/access-review.js";
import type { IdentityService } from "../domain/identity/identity-service.js";
import type { OidcProviderService } from "../domain/identity/oidc-provider-service.js";
import type { RoleService } from "../domain/identity/role-service.js";
import type { RoleSessions, WebIdentityCaller } from "../domain/identity/sts/role-sessions.js";
import type { RoleSessionRecord } from "../domain/ports/identity-store.js";
import type { RotationService } from "../domain/rotation/rotation-service.js";
import type { RequestScope } from "../domain/secrets/deps.js";
import type { SecretReader } from "../domain/secrets/secret-reader.js";
import type { SecretWriter } from "../domain/secrets/secret-writer.js";

/**
 * Who is calling, established by SigV4 before any operation runs. For an operation that needs no
 * signature (AssumeRoleWithWebIdentity), empty strings: the token in its input says who it is.
 */
export interface CallerIdentity {
  accessKeyId: string;
  principal: string;
  /** A role session's context (its role, session tags, how it was obtained). */
  session?: RoleSessionRecord | undefined;
}

export interface OperationContext {
  scope: RequestScope;
  requestId: string;
  caller: CallerIdentity;
  sourceIp: string;
  /**
   * An operation that establishes its caller itself (AssumeRoleWithWebIdentity: a verified token)
   * says so here, so its audit event names that caller (a `WebIdentityUser`), refused or not.
   */
  noteWebIdentity?: ((who: WebIdentityCaller) => void) | undefined;
}

/** The domain services an operation may call. */
export interface OperationServices {
  reader: SecretReader;
  writer: SecretWriter;
  identity: IdentityService;
  review: AccessReview;
  /** The audit trail, for the `coffer.*Audit*` operations. */
  audit: AuditReader;
  /** RotateSecret and CancelRotateSecret; absent where rotation is not wired (they answer so). */
  rotation?: RotationService | undefined;
  /** Roles (CreateRole, PutRolePolicy…); absent where not wired (those operations answer so). */
  roles?: RoleService | undefined;
  /** OpenID Connect providers (CreateOpenIDConnectProvider…); absent where not wired (they answer so). */
  oidcProviders?: OidcProviderService | undefined;
  /** STS's AssumeRoleWithWebIdentity, AssumeRole and GetCallerIdentity; absent where not wired (they answer so). */
  sts?: RoleSessions | undefined;
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

/**
 * One operation as the request pipeline runs it (docs/ARCHITECTURE.md, "One request"): what it is called, the
 * IAM action and resource it is authorized as, whether it changes anything (then it is audited
 * ahead, docs/adr/0005), and the handler.
 */
export interface OperationDescriptor {
  /** The name in `X-Amz-Target`, e.g. `GetSecretValue`. */
  name: string;
  /** The IAM action policies name, e.g. `secretsmanager:GetSecretValue`. */
  action: string;
  /** Read-only operations are audited once, after they run; the others also before (their intent). */
  readOnly: boolean;
  /** Top-level members the model marks as idempotency tokens; filled in when a client omits them. */
  idempotencyTokens: readonly string[];
  /**
   * The resource the pipeline authorizes `action` on before the handler runs: `*` or an ARN.
   * `undefined` when the operation addresses one secret, which the domain authorizes against the very
   * record it acts on (docs/adr/0007), or when it needs no permission (GetSessionToken).
   */
  resource(input: Record<string, unknown>): string | undefined;
  handler: Operation;
}

/** One API served at `POST /`: Secrets Manager (`secretsmanager.<Op>`) or Coffer's admin API (`coffer.<Op>`). */
export interface ApiDescriptor {
  /** `secretsmanager` or `coffer`: the audit event's source and the IAM action prefix. */
  name: string;
  /** `secretsmanager.` or `coffer.` */
  targetPrefix: string;
  operations: ReadonlyMap<string, OperationDescriptor>;
  /** Throws a 4xx CofferError unless `input` matches the operation's input shape in the model. */
  validate(operation: string, input: unknown): void;
}
