import type Database from "better-sqlite3";
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

/** Principals, identity policies and access keys in the same SQLite database as the secrets. */
export class SqliteIdentityStore implements IdentityStore {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      insertPrincipal: db.prepare(
        "INSERT INTO principals (arn, name, kind, tags, created_at) VALUES (?, ?, ?, ?, ?)",
      ),
      principal: db.prepare<[string], PrincipalRow>("SELECT * FROM principals WHERE arn = ?"),
      principalByName: db.prepare<[string], PrincipalRow>("SELECT * FROM principals WHERE name = ?"),
      principals: db.prepare<[], PrincipalRow>("SELECT * FROM principals ORDER BY name"),
      principalTags: db.prepare("UPDATE principals SET tags = ? WHERE arn = ?"),
      deletePrincipal: db.prepare("DELETE FROM principals WHERE arn = ?"),
      deleteKeysOf: db.prepare("DELETE FROM access_keys WHERE principal = ?"),
      putPolicy: db.prepare(
        "INSERT OR REPLACE INTO principal_policies (principal_arn, policy_name, document, updated_at) VALUES (?, ?, ?, ?)",
      ),
      deletePolicy: db.prepare("DELETE FROM principal_policies WHERE principal_arn = ? AND policy_name = ?"),
      policies: db.prepare<[string], PolicyRow>(
        "SELECT * FROM principal_policies WHERE principal_arn = ? ORDER BY policy_name",
      ),
      accessKey: db.prepare<[string], AccessKeyRow>("SELECT * FROM access_keys WHERE access_key_id = ?"),
      putAccessKey: db.prepare(
        `INSERT OR REPLACE INTO access_keys (access_key_id, principal, kind, kek_id, wrapped_key, ciphertext, status,
           created_at, expires_at, last_used_at, last_used_ip, session_token_hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      allAccessKeys: db.prepare<[], AccessKeyRow>("SELECT * FROM access_keys ORDER BY access_key_id"),
      accessKeysOf: db.prepare<[string], AccessKeyRow>(
        "SELECT * FROM access_keys WHERE principal = ? ORDER BY created_at, access_key_id",
      ),
      countAccessKeys: db.prepare<[], number>("SELECT COUNT(*) FROM access_keys").pluck(),
      setStatus: db.prepare("UPDATE access_keys SET status = ? WHERE access_key_id = ?"),
      deleteAccessKey: db.prepare("DELETE FROM access_keys WHERE access_key_id = ?"),
      recordUse: db.prepare(
        "UPDATE access_keys SET last_used_at = ?, last_used_ip = ? WHERE access_key_id = ?",
      ),
      deleteExpired: db.prepare("DELETE FROM access_keys WHERE expires_at IS NOT NULL AND expires_at <= ?"),
    };
  }

  async createPrincipal(principal: PrincipalRecord): Promise<void> {
    if (this.statements.principalByName.get(principal.name)) throw new PrincipalExistsError(principal.name);
    try {
      this.statements.insertPrincipal.run(
        principal.arn,
        principal.name,
        principal.kind,
        JSON.stringify(principal.tags),
        principal.createdAt,
      );
    } catch (error) {
      // The ARN (made from the name) is taken, or another process inserted the name since the
      // check above: the same answer as PostgreSQL's engine gives.
      const code = (error as { code?: unknown }).code;
      if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY")
        throw new PrincipalExistsError(principal.name);
      throw error;
    }
  }

  async getPrincipal(arn: string) {
    const row = this.statements.principal.get(arn);
    return row ? toPrincipal(row) : undefined;
  }

  async getPrincipalByName(name: string) {
    const row = this.statements.principalByName.get(name);
    return row ? toPrincipal(row) : undefined;
  }

  async listPrincipals() {
    return this.statements.principals.all().map(toPrincipal);
  }

  async updatePrincipalTags(arn: string, tags: Tag[]) {
    this.statements.principalTags.run(JSON.stringify(tags), arn);
  }

  async deletePrincipal(arn: string) {
    return this.db.transaction(() => {
      this.statements.deleteKeysOf.run(arn);
      return this.statements.deletePrincipal.run(arn).changes === 1;
    })();
  }

  async putPolicy(policy: PrincipalPolicyRecord) {
    this.statements.putPolicy.run(policy.principalArn, policy.policyName, policy.document, policy.updatedAt);
  }

  async deletePolicy(principalArn: string, policyName: string) {
    return this.statements.deletePolicy.run(principalArn, policyName).changes === 1;
  }

  async listPolicies(principalArn: string) {
    return this.statements.policies.all(principalArn).map(toPolicy);
  }

  async getAccessKey(accessKeyId: string) {
    const row = this.statements.accessKey.get(accessKeyId);
    return row ? toAccessKey(row) : undefined;
  }

  async putAccessKey(record: AccessKeyRecord) {
    this.statements.putAccessKey.run(
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
    );
  }

  async listAccessKeys(principalArn?: string) {
    const rows =
      principalArn === undefined
        ? this.statements.allAccessKeys.all()
        : this.statements.accessKeysOf.all(principalArn);
    return rows.map(toAccessKey);
  }

  async countAccessKeys() {
    return this.statements.countAccessKeys.get() ?? 0;
  }

  async setAccessKeyStatus(accessKeyId: string, status: AccessKeyRecord["status"]) {
    return this.statements.setStatus.run(status, accessKeyId).changes === 1;
  }

  async deleteAccessKey(accessKeyId: string) {
    return this.statements.deleteAccessKey.run(accessKeyId).changes === 1;
  }

  async recordAccessKeyUse(accessKeyId: string, at: number, sourceIp: string) {
    this.statements.recordUse.run(at, sourceIp, accessKeyId);
  }

  async deleteExpiredAccessKeys(now: number) {
    return this.statements.deleteExpired.run(now).changes;
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
