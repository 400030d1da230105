import type pg from "pg";
import {
  type AccessKeyRecord,
  type IdentityStore,
  OidcProviderExistsError,
  type OidcProviderRecord,
  PrincipalExistsError,
  type PrincipalPolicyRecord,
  type PrincipalRecord,
  type RoleSettings,
} from "../../domain/ports/identity-store.js";
import type { Tag } from "../../domain/secrets/records.js";
import {
  type AccessKeyRow,
  type OidcProviderRow,
  oidcProviderColumns,
  type PolicyRow,
  type PrincipalRow,
  roleSettingsJson,
  sessionColumns,
  toAccessKey,
  toOidcProvider,
  toPolicy,
  toPrincipal,
} from "../identity-rows.js";
import { announceIdentityChange } from "./change-feed.js";
import type { Database } from "./connection.js";

/**
 * Principals, identity policies, access keys and OIDC providers in the shared database (as
 * SqliteIdentityStore). Every change that changed a row is announced in its own transaction
 * (announceIdentityChange), so the other nodes' key, policy and provider caches forget before their
 * next request (Stores.catchUp); one that changed nothing (an expiry sweep with nothing expired, a
 * delete of what is not there) announces nothing, so other nodes keep what they cached.
 */
export class PostgresIdentityStore implements IdentityStore {
  constructor(
    private readonly db: Database,
    private readonly nodeId: string,
  ) {}

  /** One changing statement and, when it changed a row, its announcement, committed together; never repeated. */
  private async change(sql: string, params: unknown[]) {
    return this.db.transaction(async (client) => {
      const result = await client.query(sql, params);
      if ((result.rowCount ?? 0) > 0) await announceIdentityChange(client, this.nodeId);
      return result;
    });
  }

  async createPrincipal(principal: PrincipalRecord): Promise<void> {
    try {
      // Not retried on a dead connection: a repeat of a create that landed would report the name taken.
      await this.change(
        "INSERT INTO principals (arn, name, kind, tags, created_at, role) VALUES ($1, $2, $3, $4, $5, $6)",
        [
          principal.arn,
          principal.name,
          principal.kind,
          JSON.stringify(principal.tags),
          principal.createdAt,
          principal.role === undefined ? null : roleSettingsJson(principal.role),
        ],
      );
    } catch (error) {
      // unique_violation on the name (of its kind), or on the ARN the name makes, also when another
      // node created it a moment before.
      if (isUniqueViolation(error, ["principals_by_name", "principals_pkey"]))
        throw new PrincipalExistsError(principal.name);
      throw error;
    }
  }

  async getPrincipal(arn: string) {
    const { rows } = await this.db.query<PrincipalRow>("SELECT * FROM principals WHERE arn = $1", [arn]);
    return rows[0] ? toPrincipal(rows[0]) : undefined;
  }

  async getPrincipalByName(name: string, kind: PrincipalRecord["kind"] = "user") {
    const { rows } = await this.db.query<PrincipalRow>(
      "SELECT * FROM principals WHERE kind = $1 AND name = $2",
      [kind, name],
    );
    return rows[0] ? toPrincipal(rows[0]) : undefined;
  }

  async listPrincipals(kind?: PrincipalRecord["kind"]) {
    const { rows } =
      kind === undefined
        ? await this.db.query<PrincipalRow>("SELECT * FROM principals ORDER BY name, kind")
        : await this.db.query<PrincipalRow>("SELECT * FROM principals WHERE kind = $1 ORDER BY name", [kind]);
    return rows.map(toPrincipal);
  }

  async updatePrincipalTags(arn: string, tags: Tag[]) {
    await this.change("UPDATE principals SET tags = $1 WHERE arn = $2", [JSON.stringify(tags), arn]);
  }

  async updateRoleSettings(arn: string, settings: RoleSettings) {
    const result = await this.change("UPDATE principals SET role = $1 WHERE arn = $2 AND kind = 'role'", [
      roleSettingsJson(settings),
      arn,
    ]);
    return result.rowCount === 1;
  }

  async deletePrincipal(arn: string) {
    return this.db.transaction(async (client) => {
      // Its own keys, and (a role's) its sessions' keys, whose principal is the session's ARN.
      const keys = await client.query(
        "DELETE FROM access_keys WHERE principal = $1 OR session_role_arn = $1",
        [arn],
      );
      const deleted = (await client.query("DELETE FROM principals WHERE arn = $1", [arn])).rowCount === 1;
      if (deleted || (keys.rowCount ?? 0) > 0) await announceIdentityChange(client, this.nodeId);
      return deleted;
    });
  }
  async putPolicy(policy: PrincipalPolicyRecord) {
    await this.change(
      `INSERT INTO principal_policies (principal_arn, policy_name, document, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (principal_arn, policy_name) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at`,
      [policy.principalArn, policy.policyName, policy.document, policy.updatedAt],
    );
  }

  async deletePolicy(principalArn: string, policyName: string) {
    const result = await this.change(
      "DELETE FROM principal_policies WHERE principal_arn = $1 AND policy_name = $2",
      [principalArn, policyName],
    );
    return result.rowCount === 1;
  }

  async listPolicies(principalArn: string) {
    const { rows } = await this.db.query<PolicyRow>(
      "SELECT * FROM principal_policies WHERE principal_arn = $1 ORDER BY policy_name",
      [principalArn],
    );
    return rows.map(toPolicy);
  }

  async getAccessKey(accessKeyId: string) {
    const { rows } = await this.db.query<AccessKeyRow>("SELECT * FROM access_keys WHERE access_key_id = $1", [
      accessKeyId,
    ]);
    return rows[0] ? toAccessKey(rows[0]) : undefined;
  }

  async putAccessKey(record: AccessKeyRecord) {
    const { session, session_role_arn } = sessionColumns(record);
    await this.change(
      `INSERT INTO access_keys (access_key_id, principal, kind, kek_id, wrapped_key, ciphertext, status,
         created_at, expires_at, last_used_at, last_used_ip, session_token_hash, session, session_role_arn)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (access_key_id) DO UPDATE SET principal = excluded.principal, kind = excluded.kind,
         kek_id = excluded.kek_id, wrapped_key = excluded.wrapped_key, ciphertext = excluded.ciphertext,
         status = excluded.status, created_at = excluded.created_at, expires_at = excluded.expires_at,
         last_used_at = excluded.last_used_at, last_used_ip = excluded.last_used_ip,
         session_token_hash = excluded.session_token_hash, session = excluded.session,
         session_role_arn = excluded.session_role_arn`,
      [
        record.accessKeyId,
        record.principal,
        record.sealedSecret.kind,
        record.sealedSecret.kekId,
        record.sealedSecret.wrappedKey,
        record.sealedSecret.ciphertext,
        record.status,
        record.createdAt,
        record.expiresAt ?? null,
        record.lastUsedAt ?? null,
        record.lastUsedIp ?? null,
        record.sessionTokenHash ?? null,
        session,
        session_role_arn,
      ],
    );
  }

  async listAccessKeys(principalArn?: string) {
    const { rows } =
      principalArn === undefined
        ? await this.db.query<AccessKeyRow>("SELECT * FROM access_keys ORDER BY access_key_id")
        : await this.db.query<AccessKeyRow>(
            "SELECT * FROM access_keys WHERE principal = $1 ORDER BY created_at, access_key_id",
            [principalArn],
          );
    return rows.map(toAccessKey);
  }

  async countAccessKeys() {
    const { rows } = await this.db.query<{ n: number }>("SELECT count(*) AS n FROM access_keys");
    return Number(rows[0]?.n ?? 0);
  }

  async setAccessKeyStatus(accessKeyId: string, status: AccessKeyRecord["status"]) {
    const result = await this.change("UPDATE access_keys SET status = $1 WHERE access_key_id = $2", [
      status,
      accessKeyId,
    ]);
    return result.rowCount === 1;
  }

  async deleteAccessKey(accessKeyId: string) {
    // Deletes are not repeated on a dead connection: a repeat of one that landed would answer false.
    const result = await this.change("DELETE FROM access_keys WHERE access_key_id = $1", [accessKeyId]);
    return result.rowCount === 1;
  }

  async recordAccessKeyUse(accessKeyId: string, at: number, sourceIp: string) {
    await this.db.query(
      "UPDATE access_keys SET last_used_at = $1, last_used_ip = $2 WHERE access_key_id = $3",
      [at, sourceIp, accessKeyId],
    );
  }

  async deleteExpiredAccessKeys(now: number) {
    const result = await this.change(
      "DELETE FROM access_keys WHERE expires_at IS NOT NULL AND expires_at <= $1",
      [now],
    );
    return result.rowCount ?? 0;
  }

  async createOidcProvider(provider: OidcProviderRecord): Promise<void> {
    const columns = oidcProviderColumns(provider);
    try {
      // Not retried on a dead connection, as createPrincipal.
      await this.change(
        `INSERT INTO oidc_providers (arn, issuer, audiences, keys_source, jwks, jwks_url, tags, created_at, seal)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          provider.arn,
          provider.issuer,
          columns.audiences,
          columns.keys_source,
          columns.jwks,
          columns.jwks_url,
          columns.tags,
          provider.createdAt,
          columns.seal,
        ],
      );
    } catch (error) {
      // The ARN, or the issuer under another ARN.
      if (isUniqueViolation(error, ["oidc_providers_pkey", "oidc_providers_by_issuer"]))
        throw new OidcProviderExistsError(provider.arn);
      throw error;
    }
  }

  async getOidcProvider(arn: string) {
    const { rows } = await this.db.query<OidcProviderRow>("SELECT * FROM oidc_providers WHERE arn = $1", [
      arn,
    ]);
    return rows[0] ? toOidcProvider(rows[0]) : undefined;
  }

  async listOidcProviders() {
    const { rows } = await this.db.query<OidcProviderRow>("SELECT * FROM oidc_providers ORDER BY arn");
    return rows.map(toOidcProvider);
  }

  async updateOidcProvider(provider: OidcProviderRecord) {
    const columns = oidcProviderColumns(provider);
    const result = await this.change(
      `UPDATE oidc_providers SET audiences = $2, keys_source = $3, jwks = $4, jwks_url = $5, tags = $6,
         seal = $7 WHERE arn = $1`,
      [
        provider.arn,
        columns.audiences,
        columns.keys_source,
        columns.jwks,
        columns.jwks_url,
        columns.tags,
        columns.seal,
      ],
    );
    return result.rowCount === 1;
  }

  async deleteOidcProvider(arn: string) {
    const result = await this.change("DELETE FROM oidc_providers WHERE arn = $1", [arn]);
    return result.rowCount === 1;
  }
}

function isUniqueViolation(error: unknown, constraints: readonly string[]): boolean {
  const { code, constraint } = error as pg.DatabaseError;
  return code === "23505" && constraint !== undefined && constraints.includes(constraint);
}
