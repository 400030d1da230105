import type { MetadataSeal } from "../crypto/envelope.js";
import type {
  AccessKeyRecord,
  OidcProviderRecord,
  PrincipalPolicyRecord,
  PrincipalRecord,
  RoleSessionRecord,
  RoleSettings,
} from "../domain/ports/identity-store.js";
import type { Tag } from "../domain/secrets/records.js";

/**
 * The identity tables' rows, as both engines return them (the same column names; PostgreSQL's
 * bigint read as a number, bytea as a Buffer), and their mapping to the port's records. JSON
 * columns hold text, written by the same code on both engines, so either reads the other's data.
 *
 * Records nested in a JSON column (a role's settings, a role session, an OIDC provider's keys) are
 * written and read in one canonical shape: only the port's fields, each optional one present
 * (undefined when absent), as the access key's own optional fields come back. So a record built
 * with every field reads back deep-equal, and nothing else a caller's object carried is stored.
 */
export interface PrincipalRow {
  arn: string;
  name: string;
  kind: string;
  tags: string;
  created_at: number;
  /** JSON of {@link RoleSettings}; NULL for users. */
  role: string | null;
}

export interface PolicyRow {
  principal_arn: string;
  policy_name: string;
  document: string;
  updated_at: number;
}

export interface AccessKeyRow {
  access_key_id: string;
  principal: string;
  kind: string;
  kek_id: string;
  wrapped_key: Buffer;
  ciphertext: Buffer;
  status: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  last_used_ip: string | null;
  session_token_hash: string | null;
  /** JSON of {@link RoleSessionRecord}; NULL but for role sessions' keys. */
  session: string | null;
  /** The session's role ARN beside it, indexed: deleting a role deletes its sessions' keys. */
  session_role_arn: string | null;
}

export interface OidcProviderRow {
  arn: string;
  issuer: string;
  /** JSON array of strings. */
  audiences: string;
  keys_source: string;
  /** The JWKS document, when `keys_source` is `document`. */
  jwks: string | null;
  /** The JWKS URL, when `keys_source` is `url` and one was given (else discovery). */
  jwks_url: string | null;
  tags: string;
  created_at: number;
  /** JSON `{"kekId", "mac"}` (base64) of the provider's metadata seal; NULL when unsealed. */
  seal: string | null;
}

const canonicalTags = (tags: readonly Tag[]): Tag[] => tags.map(({ Key, Value }) => ({ Key, Value }));

/** A metadata seal as JSON text can hold it: the MAC in base64. */
type StoredSeal = { kekId: string; mac: string };

const storedSeal = (seal: MetadataSeal | undefined): StoredSeal | undefined =>
  seal === undefined ? undefined : { kekId: seal.kekId, mac: seal.mac.toString("base64") };

const sealOf = (stored: StoredSeal | MetadataSeal | undefined | null): MetadataSeal | undefined =>
  stored === undefined || stored === null
    ? undefined
    : {
        kekId: stored.kekId,
        mac: Buffer.isBuffer(stored.mac) ? stored.mac : Buffer.from(stored.mac, "base64"),
      };

function canonicalRoleSettings(settings: RoleSettings): RoleSettings {
  return {
    trustPolicy: settings.trustPolicy,
    maxSessionDurationSeconds: settings.maxSessionDurationSeconds,
    description: settings.description,
    // Present only when sealed, so a record written without a seal reads back exactly.
    ...(settings.seal !== undefined ? { seal: sealOf(settings.seal as StoredSeal | MetadataSeal) } : {}),
  };
}

function canonicalRoleSession(session: RoleSessionRecord): RoleSessionRecord {
  const { via } = session;
  return {
    roleArn: session.roleArn,
    sessionName: session.sessionName,
    issuedAt: session.issuedAt,
    tags: canonicalTags(session.tags),
    transitiveTagKeys: [...session.transitiveTagKeys],
    sourceIdentity: session.sourceIdentity,
    via:
      via.kind === "web-identity"
        ? {
            kind: via.kind,
            providerArn: via.providerArn,
            issuer: via.issuer,
            subject: via.subject,
            audience: via.audience,
          }
        : { kind: via.kind, callerArn: via.callerArn, callerAccessKeyId: via.callerAccessKeyId },
  };
}

export const roleSettingsJson = (settings: RoleSettings): string =>
  JSON.stringify({ ...canonicalRoleSettings(settings), seal: storedSeal(settings.seal) });

/** The `session` and `session_role_arn` columns of a key. */
export const sessionColumns = (record: AccessKeyRecord) =>
  record.session === undefined
    ? { session: null, session_role_arn: null }
    : {
        session: JSON.stringify(canonicalRoleSession(record.session)),
        session_role_arn: record.session.roleArn,
      };

export const toPrincipal = (row: PrincipalRow): PrincipalRecord => ({
  arn: row.arn,
  name: row.name,
  kind: row.kind === "role" ? "role" : "user",
  tags: JSON.parse(row.tags) as Tag[],
  createdAt: row.created_at,
  // Only roles carry the field, so a user reads back exactly as before roles existed.
  ...(row.role !== null ? { role: canonicalRoleSettings(JSON.parse(row.role) as RoleSettings) } : {}),
});

export const toPolicy = (row: PolicyRow): PrincipalPolicyRecord => ({
  principalArn: row.principal_arn,
  policyName: row.policy_name,
  document: row.document,
  updatedAt: row.updated_at,
});

export const toAccessKey = (row: AccessKeyRow): AccessKeyRecord => ({
  accessKeyId: row.access_key_id,
  principal: row.principal,
  sealedSecret: {
    kind: row.kind === "binary" ? "binary" : "string",
    kekId: row.kek_id,
    wrappedKey: row.wrapped_key,
    ciphertext: row.ciphertext,
  },
  status: row.status === "inactive" ? "inactive" : "active",
  createdAt: row.created_at,
  expiresAt: row.expires_at ?? undefined,
  lastUsedAt: row.last_used_at ?? undefined,
  lastUsedIp: row.last_used_ip ?? undefined,
  sessionTokenHash: row.session_token_hash ?? undefined,
  // Only role sessions' keys carry the field, so other keys read back exactly as before.
  ...(row.session !== null
    ? { session: canonicalRoleSession(JSON.parse(row.session) as RoleSessionRecord) }
    : {}),
});

/** The columns of a provider but its ARN, issuer and creation time (what an update replaces). */
export const oidcProviderColumns = (provider: OidcProviderRecord) => ({
  audiences: JSON.stringify([...provider.audiences]),
  keys_source: provider.keys.source,
  jwks: provider.keys.source === "document" ? provider.keys.jwks : null,
  jwks_url: provider.keys.source === "url" ? (provider.keys.url ?? null) : null,
  tags: JSON.stringify(provider.tags),
  seal: provider.seal === undefined ? null : JSON.stringify(storedSeal(provider.seal)),
});

export const toOidcProvider = (row: OidcProviderRow): OidcProviderRecord => ({
  arn: row.arn,
  issuer: row.issuer,
  audiences: JSON.parse(row.audiences) as string[],
  keys:
    row.keys_source === "document"
      ? { source: "document", jwks: row.jwks ?? "" }
      : { source: "url", url: row.jwks_url ?? undefined },
  tags: JSON.parse(row.tags) as Tag[],
  createdAt: row.created_at,
  ...(row.seal !== null && row.seal !== undefined
    ? { seal: sealOf(JSON.parse(row.seal) as StoredSeal) }
    : {}),
});
