import type { RoleSessionRecord } from "../../ports/identity-store.js";
import type { Tag } from "../../secrets/records.js";

/**
 * What STS's operations ask of the domain (AssumeRoleWithWebIdentity, AssumeRole,
 * GetCallerIdentity). The wire shapes (the Query protocol, XML) stay in `operations/sts/`; times
 * here are milliseconds since the epoch.
 */
export interface RoleSessions {
  /**
   * Verifies the token with its provider's keys, checks the role's trust policy
   * (`sts:AssumeRoleWithWebIdentity` for `Federated: <provider ARN>`, with `<issuer>:sub`,
   * `<issuer>:aud` and the token's other claims as condition keys) and issues a session.
   * `onVerified` is told who the token proved to be as soon as it is verified, so a refusal after
   * that (the trust policy) is audited with the token's subject. Never sees or keeps the token
   * beyond verifying it.
   */
  assumeRoleWithWebIdentity(
    request: AssumeRoleWithWebIdentityRequest,
    onVerified?: (who: WebIdentityCaller) => void,
  ): Promise<WebIdentitySession>;
  /** Role chaining from a Coffer user or role session: identity policy and trust policy both consulted (as IAM). */
  assumeRole(caller: StsCaller, request: AssumeRoleRequest): Promise<IssuedRoleSession>;
  /** GetCallerIdentity: needs no permission. */
  callerIdentity(caller: StsCaller): CallerIdentity;
}

export interface AssumeRoleWithWebIdentityRequest {
  roleArn: string;
  roleSessionName: string;
  webIdentityToken: string;
  durationSeconds?: number | undefined;
  /** Session policies: refused with a clear 400 until Coffer evaluates them. */
  policy?: string | undefined;
  policyArns?: string[] | undefined;
  /** OAuth 2.0 access tokens' provider (Amazon, Facebook): refused, as STS does for OIDC ID tokens. */
  providerId?: string | undefined;
  sourceIp: string;
}

export interface AssumeRoleRequest {
  roleArn: string;
  roleSessionName: string;
  durationSeconds?: number | undefined;
  policy?: string | undefined;
  policyArns?: string[] | undefined;
  tags?: Tag[] | undefined;
  transitiveTagKeys?: string[] | undefined;
  sourceIdentity?: string | undefined;
  externalId?: string | undefined;
}

/** The caller as SigV4 established it. */
export interface StsCaller {
  principal: string;
  accessKeyId: string;
  sourceIp: string;
  /** Present when the caller is itself a role session. */
  session?: RoleSessionRecord | undefined;
}

/** Who a verified web identity token says it is: the audit trail's `WebIdentityUser`. */
export interface WebIdentityCaller {
  providerArn: string;
  issuer: string;
  subject: string;
  audience: string;
}

export interface IssuedRoleSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiresAt: number;
  /** `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
  assumedRoleArn: string;
  /** `<role id>:<session>`, the role id an `AROA…` derived from the role's ARN. */
  assumedRoleId: string;
  /** Percentage of STS's packed size limit the session tags and policies take. */
  packedPolicySize: number;
  sourceIdentity?: string | undefined;
}

export interface WebIdentitySession extends IssuedRoleSession {
  subjectFromWebIdentityToken: string;
  audience: string;
  /** The token's `iss`, as STS answers for OIDC tokens. */
  provider: string;
}

export interface CallerIdentity {
  /** `AIDA…` for a user; `AROA…:<session>` for a role session (as STS answers). */
  userId: string;
  account: string;
  arn: string;
}
