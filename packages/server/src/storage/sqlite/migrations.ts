import type Database from "better-sqlite3";
import { searchTermsOf } from "./search-terms.js";

/**
 * Schema versions, applied in order inside one transaction each. Never edit a released entry:
 * add a new one, so every existing data folder upgrades the same way.
 */
interface Migration {
  version: number;
  sql: string;
  /** Rebuilds tables others refer to: runs with foreign keys off, checked before it commits. */
  rebuild?: boolean;
  /** A step SQL cannot express, in the same transaction after `sql`. */
  after?: (db: Database.Database) => void;
}

const migrations: ReadonlyArray<Migration> = [
  {
    version: 1,
    sql: `
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE secrets (
        arn TEXT PRIMARY KEY,
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT,
        kms_key_id TEXT,
        tags TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_changed_at INTEGER NOT NULL,
        last_accessed_at INTEGER,
        deleted_at INTEGER,
        deletion_date INTEGER,
        revision INTEGER NOT NULL,
        UNIQUE (region, name)
      );
      CREATE INDEX secrets_by_created ON secrets (region, created_at, arn);
      CREATE INDEX secrets_by_changed ON secrets (region, last_changed_at, arn);
      CREATE INDEX secrets_by_deletion ON secrets (deletion_date) WHERE deletion_date IS NOT NULL;
      CREATE TABLE secret_versions (
        arn TEXT NOT NULL REFERENCES secrets (arn) ON DELETE CASCADE,
        version_id TEXT NOT NULL,
        stages TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_accessed_at INTEGER,
        kms_key_id TEXT,
        kind TEXT NOT NULL,
        kek_id TEXT NOT NULL,
        wrapped_key BLOB NOT NULL,
        ciphertext BLOB NOT NULL,
        PRIMARY KEY (arn, version_id)
      );
      CREATE INDEX secret_versions_by_kek ON secret_versions (kek_id);
      CREATE TABLE version_stages (
        arn TEXT NOT NULL,
        stage TEXT NOT NULL,
        version_id TEXT NOT NULL,
        PRIMARY KEY (arn, stage),
        FOREIGN KEY (arn, version_id) REFERENCES secret_versions (arn, version_id) ON DELETE CASCADE
      );
      CREATE TABLE access_keys (
        access_key_id TEXT PRIMARY KEY,
        principal TEXT NOT NULL,
        kind TEXT NOT NULL,
        kek_id TEXT NOT NULL,
        wrapped_key BLOB NOT NULL,
        ciphertext BLOB NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    sql: `
      CREATE TABLE principals (
        arn TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        tags TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE principal_policies (
        principal_arn TEXT NOT NULL REFERENCES principals (arn) ON DELETE CASCADE,
        policy_name TEXT NOT NULL,
        document TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (principal_arn, policy_name)
      );
      ALTER TABLE access_keys ADD COLUMN expires_at INTEGER;
      ALTER TABLE access_keys ADD COLUMN last_used_at INTEGER;
      ALTER TABLE access_keys ADD COLUMN last_used_ip TEXT;
      ALTER TABLE access_keys ADD COLUMN session_token_hash TEXT;
      CREATE INDEX access_keys_by_principal ON access_keys (principal);
      ALTER TABLE secrets ADD COLUMN resource_policy TEXT;
    `,
  },
  {
    // ADR 0006: the master key's MAC over each secret row and its stage map. Rows from before have
    // none; the setting asks the next start (which holds the master key) to re-seal them once.
    version: 3,
    sql: `
      ALTER TABLE secrets ADD COLUMN seal_kek_id TEXT;
      ALTER TABLE secrets ADD COLUMN seal_mac BLOB;
      INSERT OR REPLACE INTO settings (key, value) VALUES ('reseal-legacy-rows', 'pending');
    `,
  },
  {
    // ListSecrets filters and sorts through indexes (docs/storage-bytes.md): secrets get a stable
    // integer id that `secret_terms` (the prefix index of names, descriptions and tags) refers to,
    // and an index for the last-accessed sort. The stage table becomes WITHOUT ROWID, so its primary
    // key is the table instead of a second copy beside it. (The version table keeps its rowid: its
    // kek_id index would otherwise hold a copy of the whole (arn, version_id) key.)
    version: 4,
    rebuild: true,
    sql: `
      CREATE TABLE secrets_v4 (
        id INTEGER PRIMARY KEY,
        arn TEXT NOT NULL UNIQUE,
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT,
        kms_key_id TEXT,
        tags TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_changed_at INTEGER NOT NULL,
        last_accessed_at INTEGER,
        deleted_at INTEGER,
        deletion_date INTEGER,
        revision INTEGER NOT NULL,
        resource_policy TEXT,
        seal_kek_id TEXT,
        seal_mac BLOB
      );
      INSERT INTO secrets_v4 (arn, region, name, description, kms_key_id, tags, created_at, last_changed_at,
          last_accessed_at, deleted_at, deletion_date, revision, resource_policy, seal_kek_id, seal_mac)
        SELECT arn, region, name, description, kms_key_id, tags, created_at, last_changed_at,
          last_accessed_at, deleted_at, deletion_date, revision, resource_policy, seal_kek_id, seal_mac
        FROM secrets ORDER BY rowid;
      CREATE TABLE secret_versions_v4 (
        arn TEXT NOT NULL REFERENCES secrets (arn) ON DELETE CASCADE,
        version_id TEXT NOT NULL,
        stages TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_accessed_at INTEGER,
        kms_key_id TEXT,
        kind TEXT NOT NULL,
        kek_id TEXT NOT NULL,
        wrapped_key BLOB NOT NULL,
        ciphertext BLOB NOT NULL,
        PRIMARY KEY (arn, version_id)
      );
      INSERT INTO secret_versions_v4 SELECT arn, version_id, stages, created_at, last_accessed_at, kms_key_id,
        kind, kek_id, wrapped_key, ciphertext FROM secret_versions;
      CREATE TABLE version_stages_v4 (
        arn TEXT NOT NULL,
        stage TEXT NOT NULL,
        version_id TEXT NOT NULL,
        PRIMARY KEY (arn, stage),
        FOREIGN KEY (arn, version_id) REFERENCES secret_versions (arn, version_id) ON DELETE CASCADE
      ) WITHOUT ROWID;
      INSERT INTO version_stages_v4 SELECT arn, stage, version_id FROM version_stages;
      DROP TABLE version_stages;
      DROP TABLE secret_versions;
      DROP TABLE secrets;
      ALTER TABLE secrets_v4 RENAME TO secrets;
      ALTER TABLE secret_versions_v4 RENAME TO secret_versions;
      ALTER TABLE version_stages_v4 RENAME TO version_stages;
      CREATE UNIQUE INDEX secrets_by_name ON secrets (region, name);
      CREATE INDEX secrets_by_created ON secrets (region, created_at, arn);
      CREATE INDEX secrets_by_changed ON secrets (region, last_changed_at, arn);
      CREATE INDEX secrets_by_accessed ON secrets (region, COALESCE(last_accessed_at, 0), arn);
      CREATE INDEX secrets_by_deletion ON secrets (deletion_date) WHERE deletion_date IS NOT NULL;
      CREATE INDEX secret_versions_by_kek ON secret_versions (kek_id);
      CREATE TABLE secret_terms (
        term TEXT NOT NULL,
        kind INTEGER NOT NULL,
        secret_id INTEGER NOT NULL,
        PRIMARY KEY (term, kind, secret_id)
      ) WITHOUT ROWID;
    `,
    after: (db) => {
      const insert = db.prepare(
        "INSERT OR IGNORE INTO secret_terms (term, kind, secret_id) VALUES (?, ?, ?)",
      );
      const page = db.prepare<
        [number],
        { id: number; name: string; description: string | null; tags: string }
      >("SELECT id, name, description, tags FROM secrets WHERE id > ? ORDER BY id LIMIT 10000");
      for (let rows = page.all(0); rows.length > 0; rows = page.all(rows.at(-1)?.id ?? 0))
        for (const row of rows) {
          const terms = searchTermsOf({
            name: row.name,
            description: row.description ?? undefined,
            tags: JSON.parse(row.tags),
          });
          for (const { term, kind } of terms) insert.run(term, kind, row.id);
        }
    },
  },
  {
    // Versions and stage labels refer to their secret by its integer id instead of its ARN, which
    // they stored once each and again in the version key (docs/storage-bytes.md: ~275 B per
    // one-version secret). Sealed values and seals still bind the ARN (ADR 0006): the domain
    // computes AAD and MACs from the records, which the store rebuilds with the secret's ARN.
    // A version or label of no secret gets a NULL id, which NOT NULL refuses: nothing changes.
    version: 5,
    rebuild: true,
    sql: `
      CREATE TABLE secret_versions_v5 (
        secret_id INTEGER NOT NULL REFERENCES secrets (id) ON DELETE CASCADE,
        version_id TEXT NOT NULL,
        stages TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_accessed_at INTEGER,
        kms_key_id TEXT,
        kind TEXT NOT NULL,
        kek_id TEXT NOT NULL,
        wrapped_key BLOB NOT NULL,
        ciphertext BLOB NOT NULL,
        PRIMARY KEY (secret_id, version_id)
      );
      INSERT INTO secret_versions_v5 SELECT (SELECT id FROM secrets WHERE arn = v.arn), v.version_id, v.stages,
          v.created_at, v.last_accessed_at, v.kms_key_id, v.kind, v.kek_id, v.wrapped_key, v.ciphertext
        FROM secret_versions AS v ORDER BY v.rowid;
      CREATE TABLE version_stages_v5 (
        secret_id INTEGER NOT NULL,
        stage TEXT NOT NULL,
        version_id TEXT NOT NULL,
        PRIMARY KEY (secret_id, stage),
        FOREIGN KEY (secret_id, version_id) REFERENCES secret_versions (secret_id, version_id) ON DELETE CASCADE
      ) WITHOUT ROWID;
      INSERT INTO version_stages_v5 SELECT (SELECT id FROM secrets WHERE arn = g.arn), g.stage, g.version_id
        FROM version_stages AS g;
      DROP TABLE version_stages;
      DROP TABLE secret_versions;
      ALTER TABLE secret_versions_v5 RENAME TO secret_versions;
      ALTER TABLE version_stages_v5 RENAME TO version_stages;
      CREATE INDEX secret_versions_by_kek ON secret_versions (kek_id);
    `,
  },
  {
    // The secret's `Type` (CreateSecret, UpdateSecret; DescribeSecret and ListSecrets return it).
    // NULL for every existing row: their seals (ADR 0006) cover no type, and binding.ts adds the
    // type to the sealed bytes only when one is set, so they still verify.
    version: 6,
    sql: "ALTER TABLE secrets ADD COLUMN type TEXT;",
  },
  {
    // Rotation (issue 10): the configuration and the run in flight as one JSON column, sealed with
    // the row; the next due date beside it for the scheduler's index; and the leases by which one
    // node of several sharing the store claims a due rotation.
    version: 7,
    sql: `
      ALTER TABLE secrets ADD COLUMN rotation TEXT;
      ALTER TABLE secrets ADD COLUMN next_rotation_at INTEGER;
      CREATE INDEX secrets_by_next_rotation ON secrets (next_rotation_at) WHERE next_rotation_at IS NOT NULL;
      CREATE TABLE rotation_leases (
        arn TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    // ListSecrets' `description` and `all` filters match words, as AWS's do (`searchWords`): the
    // lowercased rows of `secret_terms` (role 2) become one row per word of the text instead of the
    // whole text. The exact rows of tag keys and values (role 1) are unchanged; all rows are rebuilt
    // from the secrets table. (Versions 6 and 7 are other changes; this one is independent of them.)
    version: 8,
    sql: "DELETE FROM secret_terms;",
    after: (db) => {
      const insert = db.prepare(
        "INSERT OR IGNORE INTO secret_terms (term, kind, secret_id) VALUES (?, ?, ?)",
      );
      const page = db.prepare<
        [number],
        { id: number; name: string; description: string | null; tags: string }
      >("SELECT id, name, description, tags FROM secrets WHERE id > ? ORDER BY id LIMIT 10000");
      for (let rows = page.all(0); rows.length > 0; rows = page.all(rows.at(-1)?.id ?? 0))
        for (const row of rows) {
          const terms = searchTermsOf({
            name: row.name,
            description: row.description ?? undefined,
            tags: JSON.parse(row.tags),
          });
          for (const { term, kind } of terms) insert.run(term, kind, row.id);
        }
    },
  },
  {
    // Replication (issue 10, docs/replication.md): a primary's replicas or a replica's primary
    // region as one JSON column, sealed with the row (binding.ts appends it only when set, so rows
    // sealed before v9 still verify); the replica's primary region beside it for ListSecrets.
    version: 9,
    sql: `
      ALTER TABLE secrets ADD COLUMN replication TEXT;
      ALTER TABLE secrets ADD COLUMN primary_region TEXT;
    `,
  },
  {
    // Named leases for background work that one node runs at a time, and the nodes' heartbeats
    // (domain/ports/stores.ts).
    version: 10,
    sql: `
      CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE nodes (
        node_id TEXT PRIMARY KEY,
        active_kek_id TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        seen_at INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    // Workload identity (issue 12, docs/adr/0011): roles are principals of kind 'role' with their
    // settings as one JSON column, and users and roles are separate name spaces, so the name is
    // unique per kind (a rebuild: v2 made it a column constraint). Every existing row becomes a
    // user, as the reader before roles took every row. A role session's key keeps its session
    // record as JSON, with the role's ARN beside it, indexed, so deleting the role finds its
    // sessions' keys. And the OIDC providers whose tokens AssumeRoleWithWebIdentity accepts.
    version: 11,
    rebuild: true,
    sql: `
      CREATE TABLE principals_v11 (
        arn TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('user', 'role')),
        tags TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        role TEXT
      );
      INSERT INTO principals_v11 (arn, name, kind, tags, created_at)
        SELECT arn, name, 'user', tags, created_at FROM principals ORDER BY rowid;
      DROP TABLE principals;
      ALTER TABLE principals_v11 RENAME TO principals;
      CREATE UNIQUE INDEX principals_by_name ON principals (kind, name);
      ALTER TABLE access_keys ADD COLUMN session TEXT;
      ALTER TABLE access_keys ADD COLUMN session_role_arn TEXT;
      CREATE INDEX access_keys_by_session_role ON access_keys (session_role_arn)
        WHERE session_role_arn IS NOT NULL;
      CREATE TABLE oidc_providers (
        arn TEXT PRIMARY KEY,
        issuer TEXT NOT NULL,
        audiences TEXT NOT NULL,
        keys_source TEXT NOT NULL,
        jwks TEXT,
        jwks_url TEXT,
        tags TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        seal TEXT,
        CHECK ((keys_source = 'document' AND jwks IS NOT NULL AND jwks_url IS NULL)
          OR (keys_source = 'url' AND jwks IS NULL))
      );
      CREATE UNIQUE INDEX oidc_providers_by_issuer ON oidc_providers (issuer);
    `,
  },
];

/** The schema version this build writes (what `/ready` expects to find). */
export const latestSchemaVersion: number = migrations.at(-1)?.version ?? 0;

/** Brings the schema to `upTo` (the newest by default; tests build older data folders with it). */
export function migrate(db: Database.Database, upTo = Number.POSITIVE_INFINITY): void {
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
  );
  const applied = new Set(
    db
      .prepare("SELECT version FROM schema_migrations")
      .pluck()
      .all()
      .map((v) => Number(v)),
  );
  const latestKnown = migrations.at(-1)?.version ?? 0;
  const newest = Math.max(0, ...applied);
  if (newest > latestKnown) {
    throw new Error(
      `The data folder's schema (version ${newest}) is newer than this Coffer understands (${latestKnown}); upgrade Coffer.`,
    );
  }
  for (const migration of migrations) {
    if (applied.has(migration.version) || migration.version > upTo) continue;
    // SQLite's way to rebuild a table others refer to: foreign keys off (outside the transaction),
    // then a foreign key check before the commit.
    const foreignKeys = db.pragma("foreign_keys", { simple: true }) === 1;
    if (migration.rebuild) db.pragma("foreign_keys = OFF");
    try {
      db.transaction(() => {
        db.exec(migration.sql);
        migration.after?.(db);
        if (migration.rebuild && (db.pragma("foreign_key_check") as unknown[]).length > 0) {
          throw new Error(
            `Schema migration ${migration.version} would break a foreign key; nothing was changed.`,
          );
        }
        db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)").run(
          migration.version,
          Date.now(),
        );
      })();
    } finally {
      if (migration.rebuild) db.pragma(`foreign_keys = ${foreignKeys ? "ON" : "OFF"}`);
    }
  }
}
