import type Database from "better-sqlite3";

/**
 * Schema versions, applied in order inside one transaction each. Never edit a released entry:
 * add a new one, so every existing data folder upgrades the same way.
 */
const migrations: ReadonlyArray<{ version: number; sql: string }> = [
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
];

export function migrate(db: Database.Database): void {
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
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)").run(
        migration.version,
        Date.now(),
      );
    })();
  }
}
