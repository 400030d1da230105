import type pg from "pg";
import type { Queryable } from "./connection.js";

/**
 * The PostgreSQL schema, in versions applied in order. Version 1 is the end state of the SQLite
 * schema (storage/sqlite/migrations.ts, versions 1 to 9), not its history. Never edit a released
 * entry: add a new one, so every existing database upgrades the same way.
 *
 * Types: epoch milliseconds, ids and revisions are bigint; keys and values sealed or MACed are
 * bytea; JSON columns (tags, stages, rotation, replication) stay text, stored exactly as SQLite
 * stores them, so records read back byte-identical and their seals (ADR 0006) verify the same.
 * Texts that are compared, sorted or prefix-matched (names, ARNs, search terms, stages, version
 * ids) use the "C" collation: code point order, which is SQLite's BINARY order of UTF-8.
 */
const migrations: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
      CREATE TABLE settings (key text COLLATE "C" PRIMARY KEY, value text NOT NULL);
      CREATE TABLE secrets (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        arn text COLLATE "C" NOT NULL,
        region text COLLATE "C" NOT NULL,
        name text COLLATE "C" NOT NULL,
        description text,
        kms_key_id text,
        tags text NOT NULL,
        created_at bigint NOT NULL,
        last_changed_at bigint NOT NULL,
        last_accessed_at bigint,
        deleted_at bigint,
        deletion_date bigint,
        revision bigint NOT NULL,
        resource_policy text,
        seal_kek_id text,
        seal_mac bytea,
        type text,
        rotation text,
        next_rotation_at bigint,
        replication text,
        primary_region text,
        CONSTRAINT secrets_by_arn UNIQUE (arn),
        CONSTRAINT secrets_by_name UNIQUE (region, name)
      );
      CREATE INDEX secrets_by_created ON secrets (region, created_at, arn);
      CREATE INDEX secrets_by_changed ON secrets (region, last_changed_at, arn);
      CREATE INDEX secrets_by_accessed ON secrets (region, (COALESCE(last_accessed_at, 0)), arn);
      CREATE INDEX secrets_by_deletion ON secrets (deletion_date) WHERE deletion_date IS NOT NULL;
      CREATE INDEX secrets_by_next_rotation ON secrets (next_rotation_at) WHERE next_rotation_at IS NOT NULL;
      CREATE TABLE secret_versions (
        secret_id bigint NOT NULL REFERENCES secrets (id) ON DELETE CASCADE,
        version_id text COLLATE "C" NOT NULL,
        stages text NOT NULL,
        created_at bigint NOT NULL,
        last_accessed_at bigint,
        kms_key_id text,
        kind text NOT NULL,
        kek_id text NOT NULL,
        wrapped_key bytea NOT NULL,
        ciphertext bytea NOT NULL,
        PRIMARY KEY (secret_id, version_id)
      );
      CREATE INDEX secret_versions_by_kek ON secret_versions (kek_id);
      CREATE TABLE version_stages (
        secret_id bigint NOT NULL,
        stage text COLLATE "C" NOT NULL,
        version_id text COLLATE "C" NOT NULL,
        PRIMARY KEY (secret_id, stage),
        FOREIGN KEY (secret_id, version_id) REFERENCES secret_versions (secret_id, version_id) ON DELETE CASCADE
      );
      -- ListSecrets' prefix index (storage/sqlite/search-terms.ts). The second index lets a walk in
      -- sort order test a row's terms, and a purge find them, without scanning a term range.
      CREATE TABLE secret_terms (
        term text COLLATE "C" NOT NULL,
        kind smallint NOT NULL,
        secret_id bigint NOT NULL,
        PRIMARY KEY (term, kind, secret_id)
      );
      CREATE INDEX secret_terms_by_secret ON secret_terms (secret_id, kind, term);
      CREATE TABLE access_keys (
        access_key_id text COLLATE "C" PRIMARY KEY,
        principal text COLLATE "C" NOT NULL,
        kind text NOT NULL,
        kek_id text NOT NULL,
        wrapped_key bytea NOT NULL,
        ciphertext bytea NOT NULL,
        status text NOT NULL,
        created_at bigint NOT NULL,
        expires_at bigint,
        last_used_at bigint,
        last_used_ip text,
        session_token_hash text
      );
      CREATE INDEX access_keys_by_principal ON access_keys (principal);
      CREATE TABLE principals (
        arn text COLLATE "C" PRIMARY KEY,
        name text COLLATE "C" NOT NULL,
        kind text NOT NULL,
        tags text NOT NULL,
        created_at bigint NOT NULL,
        CONSTRAINT principals_by_name UNIQUE (name)
      );
      CREATE TABLE principal_policies (
        principal_arn text COLLATE "C" NOT NULL REFERENCES principals (arn) ON DELETE CASCADE,
        policy_name text COLLATE "C" NOT NULL,
        document text NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (principal_arn, policy_name)
      );
      CREATE TABLE rotation_leases (
        arn text COLLATE "C" PRIMARY KEY,
        holder text NOT NULL,
        expires_at bigint NOT NULL
      );
      -- Leases for background work one node runs at a time (domain/ports/stores.ts LeaseStore).
      CREATE TABLE leases (
        name text COLLATE "C" PRIMARY KEY,
        holder text NOT NULL,
        expires_at bigint NOT NULL
      );
      -- The nodes' heartbeats (domain/ports/stores.ts NodeRegistry): which master key each wraps under.
      CREATE TABLE nodes (
        node_id text COLLATE "C" PRIMARY KEY,
        active_kek_id text NOT NULL,
        started_at bigint NOT NULL,
        seen_at bigint NOT NULL
      );
      -- Bumped by every transaction that changes secret rows, with its notices (change-feed.ts):
      -- the bounded fallback of LISTEN/NOTIFY compares it with the notices it received.
      CREATE TABLE change_log (
        id smallint PRIMARY KEY CHECK (id = 1),
        seq bigint NOT NULL
      );
      INSERT INTO change_log (id, seq) VALUES (1, 0);
      -- As SQLite's version 3 leaves it: the first start re-seals rows without a seal (none here).
      INSERT INTO settings (key, value) VALUES ('reseal-legacy-rows', 'pending');
    `,
  },
  {
    // Workload identity (issue 12, docs/adr/0011), as SQLite's version 11: roles are principals of
    // kind 'role' with their settings as one JSON column; users and roles are separate name spaces
    // (the name unique per kind, under the constraint name the engine maps to PrincipalExistsError).
    // Every existing row is a user, as the reader before roles took every row. A role session's key
    // keeps its session record as JSON, with the role's ARN beside it, indexed, so deleting the role
    // finds its sessions' keys. And the OIDC providers whose tokens AssumeRoleWithWebIdentity
    // accepts. Adding nullable columns rewrites no table; the new unique index reads principals once.
    version: 2,
    sql: `
      UPDATE principals SET kind = 'user' WHERE kind <> 'user';
      ALTER TABLE principals
        ADD COLUMN role text,
        ADD CONSTRAINT principals_kind CHECK (kind IN ('user', 'role')),
        DROP CONSTRAINT principals_by_name,
        ADD CONSTRAINT principals_by_name UNIQUE (kind, name);
      ALTER TABLE access_keys
        ADD COLUMN session text,
        ADD COLUMN session_role_arn text COLLATE "C";
      CREATE INDEX access_keys_by_session_role ON access_keys (session_role_arn)
        WHERE session_role_arn IS NOT NULL;
      CREATE TABLE oidc_providers (
        arn text COLLATE "C" PRIMARY KEY,
        issuer text COLLATE "C" NOT NULL,
        audiences text NOT NULL,
        keys_source text NOT NULL,
        jwks text,
        jwks_url text,
        tags text NOT NULL,
        created_at bigint NOT NULL,
        seal text,
        CONSTRAINT oidc_providers_by_issuer UNIQUE (issuer),
        CONSTRAINT oidc_providers_keys CHECK ((keys_source = 'document' AND jwks IS NOT NULL AND jwks_url IS NULL)
          OR (keys_source = 'url' AND jwks IS NULL))
      );
    `,
  },
];

export const latestSchemaVersion = migrations.at(-1)?.version ?? 0;

/** Any constant shared by every Coffer node: serializes migrations of one database. */
const migrationLock = 0x436f6666; // "Coff"

/**
 * Brings the schema to the newest version. Safe when several nodes start at once: the whole run
 * is one transaction holding an advisory lock, so one node migrates and the others, waiting on the
 * lock, then find nothing left to do. A database newer than this Coffer refuses it. `upTo` stops
 * at an older version (tests build older databases with it).
 */
export async function migrate(client: pg.ClientBase, upTo = Number.POSITIVE_INFINITY): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [migrationLock]);
    await client.query(
      "CREATE TABLE IF NOT EXISTS coffer_schema_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL)",
    );
    const applied = new Set(
      (await client.query<{ version: number }>("SELECT version FROM coffer_schema_migrations")).rows.map(
        (r) => Number(r.version),
      ),
    );
    const newest = Math.max(0, ...applied);
    if (newest > latestSchemaVersion) throw newerSchemaError(newest);
    for (const migration of migrations) {
      if (applied.has(migration.version) || migration.version > upTo) continue;
      await client.query(migration.sql);
      await client.query("INSERT INTO coffer_schema_migrations (version, applied_at) VALUES ($1, $2)", [
        migration.version,
        Date.now(),
      ]);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

/** The schema version the database holds (0 when none). */
export async function schemaVersion(client: Queryable): Promise<number> {
  const { rows } = await client.query<{ version: number | null }>(
    "SELECT max(version) AS version FROM coffer_schema_migrations",
  );
  return Number(rows[0]?.version ?? 0);
}

export function newerSchemaError(version: number): Error {
  return new Error(
    `The PostgreSQL database's schema (version ${version}) is newer than this Coffer understands (${latestSchemaVersion}); upgrade Coffer.`,
  );
}
