import type Database from "better-sqlite3";
import { GENESIS_HASH } from "../../../audit/chain-hash.js";

/**
 * Schema versions of `audit.db`, applied in order inside one transaction each, tracked in its own
 * `audit_schema_migrations` table. Never edit a released entry: add a new one.
 *
 * `audit_events.event` holds the exact canonical JSON the hash covers, or, for an index of the
 * journal, `journal_offset` says where in `audit.log` that JSON is; every other column and
 * `audit_event_secrets` are indexes derived from it. Queries return events by (event_time, seq):
 * each index ends with event_time (and, implicitly, the rowid = seq), so any one filter plus a
 * time range plus the page cursor is a single index seek. Successful calls, the vast majority,
 * are left out of the outcome index.
 */
const auditMigrations: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
      CREATE TABLE audit_events (
        seq INTEGER PRIMARY KEY,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        event TEXT NOT NULL,
        event_time INTEGER NOT NULL,
        event_name TEXT NOT NULL,
        principal_arn TEXT NOT NULL,
        access_key_id TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('success', 'denied', 'error'))
      );
      CREATE INDEX audit_events_by_time ON audit_events (event_time);
      CREATE INDEX audit_events_by_name ON audit_events (event_name, event_time);
      CREATE INDEX audit_events_by_principal ON audit_events (principal_arn, event_time);
      CREATE INDEX audit_events_by_access_key ON audit_events (access_key_id, event_time);
      CREATE INDEX audit_events_by_problem ON audit_events (outcome, event_time) WHERE outcome <> 'success';
      CREATE TABLE audit_event_secrets (
        secret TEXT NOT NULL,
        event_time INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (secret, event_time, seq)
      ) WITHOUT ROWID;
      CREATE TABLE chain_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL
      );
      INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, '${GENESIS_HASH}');
    `,
  },
  {
    // Write-ahead auditing (docs/adr/0005): a change's intent event has the outcome 'intent'.
    version: 2,
    sql: `
      CREATE TABLE audit_events_v2 (
        seq INTEGER PRIMARY KEY,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        event TEXT NOT NULL,
        event_time INTEGER NOT NULL,
        event_name TEXT NOT NULL,
        principal_arn TEXT NOT NULL,
        access_key_id TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('success', 'denied', 'error', 'intent'))
      );
      INSERT INTO audit_events_v2 SELECT seq, prev_hash, hash, event, event_time, event_name,
        principal_arn, access_key_id, outcome FROM audit_events;
      DROP TABLE audit_events;
      ALTER TABLE audit_events_v2 RENAME TO audit_events;
      CREATE INDEX audit_events_by_time ON audit_events (event_time);
      CREATE INDEX audit_events_by_name ON audit_events (event_name, event_time);
      CREATE INDEX audit_events_by_principal ON audit_events (principal_arn, event_time);
      CREATE INDEX audit_events_by_access_key ON audit_events (access_key_id, event_time);
      CREATE INDEX audit_events_by_problem ON audit_events (outcome, event_time) WHERE outcome <> 'success';
    `,
  },
  {
    // The journal's index keeps where each event's line starts in audit.log instead of a second
    // copy of the event (docs/adr/0009): exactly one of event and journal_offset is set. Rows
    // indexed before keep their copy.
    version: 3,
    sql: `
      CREATE TABLE audit_events_v3 (
        seq INTEGER PRIMARY KEY,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        event TEXT,
        journal_offset INTEGER,
        event_time INTEGER NOT NULL,
        event_name TEXT NOT NULL,
        principal_arn TEXT NOT NULL,
        access_key_id TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('success', 'denied', 'error', 'intent')),
        CHECK ((event IS NULL) <> (journal_offset IS NULL))
      );
      INSERT INTO audit_events_v3 SELECT seq, prev_hash, hash, event, NULL, event_time, event_name,
        principal_arn, access_key_id, outcome FROM audit_events;
      DROP TABLE audit_events;
      ALTER TABLE audit_events_v3 RENAME TO audit_events;
      CREATE INDEX audit_events_by_time ON audit_events (event_time);
      CREATE INDEX audit_events_by_name ON audit_events (event_name, event_time);
      CREATE INDEX audit_events_by_principal ON audit_events (principal_arn, event_time);
      CREATE INDEX audit_events_by_access_key ON audit_events (access_key_id, event_time);
      CREATE INDEX audit_events_by_problem ON audit_events (outcome, event_time) WHERE outcome <> 'success';
    `,
  },
];

const latestKnown = auditMigrations.at(-1)?.version ?? 0;

/** Applies every version not applied yet, up to `upTo` (the latest; tests build older files with less). */
export function migrateAudit(db: Database.Database, upTo = latestKnown): void {
  db.exec(
    "CREATE TABLE IF NOT EXISTS audit_schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
  );
  if (appliedVersions(db).has(upTo)) return;
  for (const migration of auditMigrations) {
    if (migration.version > upTo) break;
    // Checked again under the write lock: another process may be upgrading the same file.
    db.transaction(() => {
      if (appliedVersions(db).has(migration.version)) return;
      db.exec(migration.sql);
      db.prepare("INSERT INTO audit_schema_migrations (version, applied_at) VALUES (?, ?)").run(
        migration.version,
        Date.now(),
      );
    }).immediate();
  }
}

/** For a read-only connection: the file is an audit database this code understands. */
export function checkAuditSchema(db: Database.Database): void {
  const hasTable = db
    .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'audit_schema_migrations'")
    .get();
  if (hasTable === undefined) throw new Error("This file is not a Coffer audit database (no audit schema).");
  const applied = appliedVersions(db);
  if (!applied.has(latestKnown)) {
    throw new Error("The audit database has not been upgraded yet; start the server once to upgrade it.");
  }
}

function appliedVersions(db: Database.Database): Set<number> {
  const applied = new Set(
    db
      .prepare("SELECT version FROM audit_schema_migrations")
      .pluck()
      .all()
      .map((v) => Number(v)),
  );
  const newest = Math.max(0, ...applied);
  if (newest > latestKnown) {
    throw new Error(
      `The audit database's schema (version ${newest}) is newer than this Coffer understands (${latestKnown}); upgrade Coffer.`,
    );
  }
  return applied;
}
