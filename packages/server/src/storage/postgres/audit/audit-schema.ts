import type pg from "pg";
import { GENESIS_HASH } from "../../../audit/chain-hash.js";

/**
 * Schema versions of the audit trail in PostgreSQL, applied in order, tracked in its own
 * `coffer_audit_schema_migrations` table (the secret store keeps its own). Never edit a released
 * entry: add a new one.
 *
 * `audit_events.event` holds the exact canonical JSON the hash covers, as TEXT (never jsonb, which
 * would reorder and reformat it); every other column and `audit_event_secrets` are indexes derived
 * from it. `audit_head` is the one-row chain head: every append locks it (`FOR UPDATE`), which is
 * what serializes the nodes' appends into one chain (docs/adr/0010). Queries return events by
 * (event_time, seq): each index ends with event_time and seq, so any one filter plus a time range
 * plus the page cursor is a single index range.
 */
const auditMigrations: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
      CREATE TABLE audit_events (
        seq BIGINT PRIMARY KEY,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        event TEXT NOT NULL,
        event_time BIGINT NOT NULL,
        event_name TEXT NOT NULL,
        principal_arn TEXT NOT NULL,
        access_key_id TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('success', 'denied', 'error', 'intent'))
      );
      CREATE INDEX audit_events_by_time ON audit_events (event_time, seq);
      CREATE INDEX audit_events_by_name ON audit_events (event_name, event_time, seq);
      CREATE INDEX audit_events_by_principal ON audit_events (principal_arn, event_time, seq);
      CREATE INDEX audit_events_by_access_key ON audit_events (access_key_id, event_time, seq);
      CREATE INDEX audit_events_by_problem ON audit_events (outcome, event_time, seq) WHERE outcome <> 'success';
      CREATE TABLE audit_event_secrets (
        secret TEXT NOT NULL,
        event_time BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        PRIMARY KEY (secret, event_time, seq)
      );
      CREATE TABLE audit_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq BIGINT NOT NULL,
        hash TEXT NOT NULL
      );
      INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${GENESIS_HASH}');
    `,
  },
];

const latestKnown = auditMigrations.at(-1)?.version ?? 0;

/**
 * The key of the transaction-level advisory lock that serializes audit migrations across nodes
 * starting at once: "CoffAudt" in ASCII, distinct from the secret store's.
 */
export const AUDIT_MIGRATION_LOCK = "4859215112326964340";

/**
 * Applies every version not applied yet, in ONE transaction holding the advisory lock: nodes that
 * start together wait for each other, and the later ones find the work done.
 */
export async function migratePostgresAudit(client: pg.ClientBase): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query(`SELECT pg_advisory_xact_lock(${AUDIT_MIGRATION_LOCK})`);
    await client.query(
      "CREATE TABLE IF NOT EXISTS coffer_audit_schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    );
    const applied = await appliedVersions(client);
    for (const migration of auditMigrations) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query("INSERT INTO coffer_audit_schema_migrations (version) VALUES ($1)", [
        migration.version,
      ]);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

/** For a reader: the database holds an audit trail this code understands. Creates nothing. */
export async function checkPostgresAuditSchema(client: pg.ClientBase): Promise<void> {
  const found = await client.query(
    "SELECT to_regclass('coffer_audit_schema_migrations') IS NOT NULL AS present",
  );
  if (found.rows[0]?.present !== true) {
    throw new Error("This database holds no Coffer audit trail (no audit schema).");
  }
  const applied = await appliedVersions(client);
  if (!applied.has(latestKnown)) {
    throw new Error(
      "The audit schema has not been upgraded yet; start a Coffer server on this database once.",
    );
  }
}

async function appliedVersions(client: pg.ClientBase): Promise<Set<number>> {
  const result = await client.query<{ version: number }>(
    "SELECT version FROM coffer_audit_schema_migrations",
  );
  const applied = new Set(result.rows.map((row) => Number(row.version)));
  const newest = Math.max(0, ...applied);
  if (newest > latestKnown) {
    throw new Error(
      `The audit schema in this database (version ${newest}) is newer than this Coffer understands (${latestKnown}); upgrade Coffer.`,
    );
  }
  return applied;
}
