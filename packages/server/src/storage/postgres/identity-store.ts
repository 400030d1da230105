import {
  type AccessKeyRecord,
  type IdentityStore,
  type OidcProviderRecord,
  PrincipalExistsError,
  type PrincipalPolicyRecord,
  type PrincipalRecord,
  type RoleSettings,
} from "../../domain/ports/identity-store.js";
import type { Tag } from "../../domain/secrets/records.js";
import { announceIdentityChange } from "./change-feed.js";
import type { Database } from "./connection.js";

interface PrincipalRow {
  arn: string;
  name: string;
  kind: string;
  tags: string;
  created_at: number;
}

interface PolicyRow {
  principal_arn: string;
  policy_name: string;
  document: string;
  updated_at: number;
}

interface AccessKeyRow {
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
}

const toPrincipal = (row: PrincipalRow): PrincipalRecord => ({
  arn: row.arn,
  name: row.name,
  kind: "user",
  tags: JSON.parse(row.tags) as Tag[],
  createdAt: row.created_at,
});

const toPolicy = (row: PolicyRow): PrincipalPolicyRecord => ({
  principalArn: row.principal_arn,
  policyName: row.policy_name,
  document: row.document,
  updatedAt: row.updated_at,
});

const toAccessKey = (row: AccessKeyRow): AccessKeyRecord => ({
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
});

/**
 * Principals, identity policies and access keys in the shared database (as SqliteIdentityStore).
 * Every change is announced in its own transaction (announceIdentityChange), so the other nodes'
 * key and policy caches forget before their next request (Stores.catchUp).
 */
export class PostgresIdentityStore implements IdentityStore {
  constructor(
    private readonly db: Database,
    private readonly nodeId: string,
  ) {}

  /** One changing statement and its announcement, committed together; never repeated. */
  private async change(sql: string, params: unknown[]) {
    return this.db.transaction(async (client) => {
      const result = await client.query(sql, params);
      await announceIdentityChange(client, this.nodeId);
      return result;
    });
  }

  async createPrincipal(principal: PrincipalRecord): Promise<void> {
    try {
      // Not retried on a dead connection: a repeat of a create that landed would report the name taken.
      await this.change(
        "INSERT INTO principals (arn, name, kind, tags, created_at) VALUES ($1, $2, $3, $4, $5)",
        [principal.arn, principal.name, principal.kind, JSON.stringify(principal.tags), principal.createdAt],
      );
    } catch (error) {
      // unique_violation on the name, or on the ARN the name makes, also when another node created
      // it a moment before.
      const { code, constraint } = error as { code?: string; constraint?: string };
      if (code === "23505" && (constraint === "principals_by_name" || constraint === "principals_pkey"))
        throw new PrincipalExistsError(principal.name);
      throw error;
    }
  }

  async getPrincipal(arn: string) {
    const { rows } = await this.db.query<PrincipalRow>("SELECT * FROM principals WHERE arn = $1", [arn]);
    return rows[0] ? toPrincipal(rows[0]) : undefined;
  }

  async getPrincipalByName(name: string) {
    const { rows } = await this.db.query<PrincipalRow>("SELECT * FROM principals WHERE name = $1", [name]);
    return rows[0] ? toPrincipal(rows[0]) : undefined;
  }

  async listPrincipals() {
    const { rows } = await this.db.query<PrincipalRow>("SELECT * FROM principals ORDER BY name");
    return rows.map(toPrincipal);
  }

  async updatePrincipalTags(arn: string, tags: Tag[]) {
    await this.change("UPDATE principals SET tags = $1 WHERE arn = $2", [JSON.stringify(tags), arn]);
  }

  async deletePrincipal(arn: string) {
    return this.db.transaction(async (client) => {
      await client.query("DELETE FROM access_keys WHERE principal = $1", [arn]);
      const deleted = (await client.query("DELETE FROM principals WHERE arn = $1", [arn])).rowCount === 1;
      await announceIdentityChange(client, this.nodeId);
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
    await this.change(
      `INSERT INTO access_keys (access_key_id, principal, kind, kek_id, wrapped_key, ciphertext, status,
         created_at, expires_at, last_used_at, last_used_ip, session_token_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (access_key_id) DO UPDATE SET principal = excluded.principal, kind = excluded.kind,
         kek_id = excluded.kek_id, wrapped_key = excluded.wrapped_key, ciphertext = excluded.ciphertext,
         status = excluded.status, created_at = excluded.created_at, expires_at = excluded.expires_at,
         last_used_at = excluded.last_used_at, last_used_ip = excluded.last_used_ip,
         session_token_hash = excluded.session_token_hash`,
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
  // TEMPORARY (issue 12, replaced by the storage work on roles and OIDC providers): not built yet.
  updateRoleSettings(_arn: string, _settings: RoleSettings): Promise<boolean> {
    return Promise.reject(new Error("roles are not stored by this engine yet"));
  }
  createOidcProvider(_provider: OidcProviderRecord): Promise<void> {
    return Promise.reject(new Error("OIDC providers are not stored by this engine yet"));
  }
  getOidcProvider(_arn: string): Promise<OidcProviderRecord | undefined> {
    return Promise.reject(new Error("OIDC providers are not stored by this engine yet"));
  }
  listOidcProviders(): Promise<OidcProviderRecord[]> {
    return Promise.reject(new Error("OIDC providers are not stored by this engine yet"));
  }
  updateOidcProvider(_provider: OidcProviderRecord): Promise<boolean> {
    return Promise.reject(new Error("OIDC providers are not stored by this engine yet"));
  }
  deleteOidcProvider(_arn: string): Promise<boolean> {
    return Promise.reject(new Error("OIDC providers are not stored by this engine yet"));
  }
}
