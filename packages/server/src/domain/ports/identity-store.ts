import type { MetadataSeal } from "../../crypto/envelope.js";
import type { SealedSecretValue, Tag } from "../secrets/records.js";

/**
 * A user or a role: what access keys (users) or role sessions (roles) act as, and what identity
 * (permission) policies are attached to. Users and roles have separate name spaces, as in IAM.
 */
export interface PrincipalRecord {
  /** `arn:aws:iam::<account>:user/<name>` or `arn:aws:iam::<account>:role/<name>`. */
  arn: string;
  name: string;
  kind: "user" | "role";
  tags: Tag[];
  createdAt: number;
  /** Roles only: who may assume it and for how long. */
  role?: RoleSettings | undefined;
}

/** What a role has beyond a user: its trust policy and session limits (IAM's Role). */
export interface RoleSettings {
  /** The trust policy (IAM's AssumeRolePolicyDocument), as the operator wrote it; validated before it is stored. */
  trustPolicy: string;
  /** The longest session a caller may ask for, 3,600 to 43,200 seconds (IAM's MaxSessionDuration). */
  maxSessionDurationSeconds: number;
  description?: string | undefined;
  /**
   * The master key's MAC over the role's ARN, trust policy and session limit (ADR 0006's metadata
   * seal; domain/identity/identity-binding.ts): a trust policy edited in the database, bypassing
   * Coffer, lets nobody in. Absent only on rows written before the seal existed.
   */
  seal?: MetadataSeal | undefined;
}

/**
 * An OpenID Connect identity provider whose tokens may be exchanged for role sessions
 * (AssumeRoleWithWebIdentity), as IAM's OpenIDConnectProvider.
 */
export interface OidcProviderRecord {
  /** `arn:aws:iam::<account>:oidc-provider/<issuer without https://>`: what trust policies name as `Federated`. */
  arn: string;
  /** The issuer exactly as tokens carry it in `iss`, e.g. `https://token.actions.githubusercontent.com`. */
  issuer: string;
  /** The accepted `aud` values (IAM's client ids); a token must carry one of them. */
  audiences: string[];
  /**
   * Where the provider's signing keys come from: a JWKS document the operator gave (air-gapped
   * clusters; rotated by updating it), or the issuer's own (discovered through
   * `<issuer>/.well-known/openid-configuration`, or this URL), fetched and cached.
   */
  keys: { source: "document"; jwks: string } | { source: "url"; url: string | undefined };
  tags: Tag[];
  createdAt: number;
  /** The master key's MAC over ARN, issuer, audiences and keys (as {@link RoleSettings.seal}). */
  seal?: MetadataSeal | undefined;
}

/**
 * What a role session's credentials carry beyond a key: who it acts as and how it was obtained.
 * Stored with the session's access key, so every node resolves the same session the same way.
 */
export interface RoleSessionRecord {
  /** The role's ARN (`arn:aws:iam::…:role/NAME`); the key's principal is the session's `assumed-role` ARN. */
  roleArn: string;
  sessionName: string;
  issuedAt: number;
  /** Session tags: `aws:PrincipalTag/*` in policies (they override the role's own tags of the same key). */
  tags: Tag[];
  /** Tag keys that pass on to a session this session assumes (role chaining). */
  transitiveTagKeys: string[];
  sourceIdentity?: string | undefined;
  /** How it was obtained: the audit trail's `sessionContext`. Never the token itself. */
  via:
    | { kind: "web-identity"; providerArn: string; issuer: string; subject: string; audience: string }
    | { kind: "assume-role"; callerArn: string; callerAccessKeyId: string };
}

export interface PrincipalPolicyRecord {
  principalArn: string;
  policyName: string;
  document: string;
  updatedAt: number;
}

/** A stored access key; the secret half is sealed under the master key, never stored in plaintext. */
export interface AccessKeyRecord {
  accessKeyId: string;
  principal: string;
  sealedSecret: SealedSecretValue;
  status: "active" | "inactive";
  createdAt: number;
  expiresAt?: number | undefined;
  lastUsedAt?: number | undefined;
  lastUsedIp?: string | undefined;
  /** Session credentials only: SHA-256 of the session token, never the token itself. */
  sessionTokenHash?: string | undefined;
  /** Role session credentials only (AssumeRole, AssumeRoleWithWebIdentity). */
  session?: RoleSessionRecord | undefined;
}

/** Principals (users and roles), their identity policies and access keys; OIDC providers. */
export interface IdentityStore {
  /** Throws PrincipalExistsError when the ARN, or the name among principals of its kind, is taken. */
  createPrincipal(principal: PrincipalRecord): Promise<void>;
  getPrincipal(arn: string): Promise<PrincipalRecord | undefined>;
  /** The user (default) or role of that name. */
  getPrincipalByName(name: string, kind?: PrincipalRecord["kind"]): Promise<PrincipalRecord | undefined>;
  /** Every principal, or those of one kind; by name. */
  listPrincipals(kind?: PrincipalRecord["kind"]): Promise<PrincipalRecord[]>;
  updatePrincipalTags(arn: string, tags: Tag[]): Promise<void>;
  /** Replaces a role's settings; false when no role has that ARN. */
  updateRoleSettings(arn: string, settings: RoleSettings): Promise<boolean>;
  /** Deletes the principal with its policies and access keys. */
  deletePrincipal(arn: string): Promise<boolean>;

  putPolicy(policy: PrincipalPolicyRecord): Promise<void>;
  deletePolicy(principalArn: string, policyName: string): Promise<boolean>;
  listPolicies(principalArn: string): Promise<PrincipalPolicyRecord[]>;

  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  putAccessKey(record: AccessKeyRecord): Promise<void>;
  listAccessKeys(principalArn?: string): Promise<AccessKeyRecord[]>;
  countAccessKeys(): Promise<number>;
  setAccessKeyStatus(accessKeyId: string, status: AccessKeyRecord["status"]): Promise<boolean>;
  deleteAccessKey(accessKeyId: string): Promise<boolean>;
  recordAccessKeyUse(accessKeyId: string, at: number, sourceIp: string): Promise<void>;
  deleteExpiredAccessKeys(now: number): Promise<number>;

  /** Throws OidcProviderExistsError when a provider with that ARN exists. */
  createOidcProvider(provider: OidcProviderRecord): Promise<void>;
  getOidcProvider(arn: string): Promise<OidcProviderRecord | undefined>;
  /** By ARN. */
  listOidcProviders(): Promise<OidcProviderRecord[]>;
  /** Replaces audiences, keys and tags of an existing provider; false when there is none. */
  updateOidcProvider(provider: OidcProviderRecord): Promise<boolean>;
  deleteOidcProvider(arn: string): Promise<boolean>;
}

/** An OIDC provider with that ARN (that issuer) exists. */
export class OidcProviderExistsError extends Error {
  constructor(arn: string) {
    super(`an OIDC provider ${arn} already exists`);
    this.name = "OidcProviderExistsError";
  }
}

/** The name is taken by another principal. */
export class PrincipalExistsError extends Error {
  constructor(name: string) {
    super(`a principal named ${name} already exists`);
    this.name = "PrincipalExistsError";
  }
}
