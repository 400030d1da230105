import type Database from "better-sqlite3";
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

/** Principals, identity policies, access keys and OIDC providers in the same SQLite database as the secrets. */
export class SqliteIdentityStore implements IdentityStore {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      insertPrincipal: db.prepare(
        "INSERT INTO principals (arn, name, kind, tags, created_at, role) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      principal: db.prepare<[string], PrincipalRow>("SELECT * FROM principals WHERE arn = ?"),
      principalByName: db.prepare<[string, string], PrincipalRow>(
        "SELECT * FROM principals WHERE kind = ? AND name = ?",
      ),
      principals: db.prepare<[], PrincipalRow>("SELECT * FROM principals ORDER BY name, kind"),
      principalsOfKind: db.prepare<[string], PrincipalRow>(
        "SELECT * FROM principals WHERE kind = ? ORDER BY name",
      ),
      principalTags: db.prepare("UPDATE principals SET tags = ? WHERE arn = ?"),
      roleSettings: db.prepare("UPDATE principals SET role = ? WHERE arn = ? AND kind = 'role'"),
      deletePrincipal: db.prepare("DELETE FROM principals WHERE arn = ?"),
      // Its own keys, and (a role's) its sessions' keys, whose principal is the session's ARN.
      deleteKeysOf: db.prepare("DELETE FROM access_keys WHERE principal = ? OR session_role_arn = ?"),
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
           created_at, expires_at, last_used_at, last_used_ip, session_token_hash, session, session_role_arn)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
      insertProvider: db.prepare(
        `INSERT INTO oidc_providers (arn, issuer, audiences, keys_source, jwks, jwks_url, tags, created_at, seal)
         VALUES (@arn, @issuer, @audiences, @keys_source, @jwks, @jwks_url, @tags, @created_at, @seal)`,
      ),
      provider: db.prepare<[string], OidcProviderRow>("SELECT * FROM oidc_providers WHERE arn = ?"),
      providers: db.prepare<[], OidcProviderRow>("SELECT * FROM oidc_providers ORDER BY arn"),
      updateProvider: db.prepare(
        `UPDATE oidc_providers SET audiences = @audiences, keys_source = @keys_source, jwks = @jwks,
           jwks_url = @jwks_url, tags = @tags, seal = @seal WHERE arn = @arn`,
      ),
      deleteProvider: db.prepare("DELETE FROM oidc_providers WHERE arn = ?"),
    };
  }

  async createPrincipal(principal: PrincipalRecord): Promise<void> {
    if (this.statements.principalByName.get(principal.kind, principal.name))
      throw new PrincipalExistsError(principal.name);
    try {
      this.statements.insertPrincipal.run(
        principal.arn,
        principal.name,
        principal.kind,
        JSON.stringify(principal.tags),
        principal.createdAt,
        principal.role === undefined ? null : roleSettingsJson(principal.role),
      );
    } catch (error) {
      // The ARN (made from the name) is taken, or another process inserted the name since the
      // check above: the same answer as PostgreSQL's engine gives.
      if (isUniqueViolation(error)) throw new PrincipalExistsError(principal.name);
      throw error;
    }
  }

  async getPrincipal(arn: string) {
    const row = this.statements.principal.get(arn);
    return row ? toPrincipal(row) : undefined;
  }

  async getPrincipalByName(name: string, kind: PrincipalRecord["kind"] = "user") {
    const row = this.statements.principalByName.get(kind, name);
    return row ? toPrincipal(row) : undefined;
  }

  async listPrincipals(kind?: PrincipalRecord["kind"]) {
    const rows =
      kind === undefined ? this.statements.principals.all() : this.statements.principalsOfKind.all(kind);
    return rows.map(toPrincipal);
  }

  async updatePrincipalTags(arn: string, tags: Tag[]) {
    this.statements.principalTags.run(JSON.stringify(tags), arn);
  }

  async updateRoleSettings(arn: string, settings: RoleSettings) {
    return this.statements.roleSettings.run(roleSettingsJson(settings), arn).changes === 1;
  }

  async deletePrincipal(arn: string) {
    return this.db.transaction(() => {
      this.statements.deleteKeysOf.run(arn, arn);
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
    const { session, session_role_arn } = sessionColumns(record);
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
      session,
      session_role_arn,
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

  async createOidcProvider(provider: OidcProviderRecord): Promise<void> {
    try {
      this.statements.insertProvider.run({
        arn: provider.arn,
        issuer: provider.issuer,
        created_at: provider.createdAt,
        ...oidcProviderColumns(provider),
      });
    } catch (error) {
      // The ARN, or the issuer under another ARN.
      if (isUniqueViolation(error)) throw new OidcProviderExistsError(provider.arn);
      throw error;
    }
  }

  async getOidcProvider(arn: string) {
    const row = this.statements.provider.get(arn);
    return row ? toOidcProvider(row) : undefined;
  }

  async listOidcProviders() {
    return this.statements.providers.all().map(toOidcProvider);
  }

  async updateOidcProvider(provider: OidcProviderRecord) {
    return (
      this.statements.updateProvider.run({ arn: provider.arn, ...oidcProviderColumns(provider) }).changes ===
      1
    );
  }

  async deleteOidcProvider(arn: string) {
    return this.statements.deleteProvider.run(arn).changes === 1;
  }
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}
