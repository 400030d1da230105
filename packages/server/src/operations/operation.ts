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
 * ahead, docs/adr/0005), whether it is signed, and the handler.
 */
export interface OperationDescriptor {
  /** The name in `X-Amz-Target` or the Query form's `Action`, e.g. `GetSecretValue`. */
  name: string;
  /** The IAM action policies name, e.g. `secretsmanager:GetSecretValue`. */
  action: string;
  /** Read-only operations are audited once, after they run; the others also before (their intent). */
  readOnly: boolean;
  /**
   * Whether the pipeline checks a SigV4 signature before it runs. False only where the model says
   * the operation is not signed (STS's AssumeRoleWithWebIdentity: its token is its authentication);
   * its caller is then anonymous (`principal` and `accessKeyId` empty) until the operation names it.
   */
  signed: boolean;
  /** Top-level members the model marks as idempotency tokens; filled in when a client omits them. */
  idempotencyTokens: readonly string[];
  /**
   * The resource the pipeline authorizes `action` on before the handler runs: `*` or an ARN.
   * `undefined` when the operation addresses one secret, which the domain authorizes against the very
   * record it acts on (docs/adr/0007), or when it needs no permission (GetSessionToken), or when the
   * domain authorizes it itself (STS's AssumeRole: identity and trust policy together).
   */
  resource(input: Record<string, unknown>): string | undefined;
  handler: Operation;
}

/** What every API served at `POST /` has, whatever its protocol. */
interface ApiDescriptorBase {
  /** `secretsmanager`, `coffer` or `sts`: the IAM action prefix and the audit trail's name for the API. */
  name: string;
  /** The service a SigV4 credential scope must name (`secretsmanager` for Coffer's admin API too; `sts`). */
  signingName: string;
  /** The operations Coffer serves, by name. */
  operations: ReadonlyMap<string, OperationDescriptor>;
  /** Throws a 4xx CofferError unless `input` matches the operation's input shape in the model. */
  validate(operation: string, input: unknown): void;
}

/**
 * AWS JSON 1.1: Secrets Manager (`X-Amz-Target: secretsmanager.<Op>`) and Coffer's admin API
 * (`coffer.<Op>`). The operation is named by a header; the body is a JSON object; answers and
 * errors are JSON.
 */
export interface JsonApiDescriptor extends ApiDescriptorBase {
  protocol: "awsJson1_1";
  /** `secretsmanager.` or `coffer.` */
  targetPrefix: string;
}

/**
 * The AWS Query protocol: STS. A form body (`application/x-www-form-urlencoded`) names the
 * operation (`Action=…`) and the API version (`Version=…`); answers and errors are XML.
 */
export interface QueryApiDescriptor extends ApiDescriptorBase {
  protocol: "awsQuery";
  /** The only `Version` the form may name, e.g. `2011-06-15`. */
  version: string;
  /** Every action of the model, served or not: an action Coffer does not serve is told so, not "unknown". */
  modelOperations: ReadonlySet<string>;
  /** The form's members as the operation's input object, by the model (throws a 4xx CofferError). */
  decode(operation: string, form: ReadonlyMap<string, string>): Record<string, unknown>;
  /** The `<{Op}Response>` document of a handler's result. */
  serialize(operation: string, output: object, requestId: string): string;
  /** The `<ErrorResponse>`'s namespace, e.g. `https://sts.amazonaws.com/doc/2011-06-15/`. */
  xmlNamespace: string;
}

/** One API served at `POST /`, by its protocol. */
export type ApiDescriptor = JsonApiDescriptor | QueryApiDescriptor;
