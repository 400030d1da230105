import type { RotationSchedule } from "../../domain/ports/rotation-schedule.js";
import type { LeaseStore } from "../../domain/ports/stores.js";
import type { Database } from "./connection.js";

/**
 * Takes or renews a lease in ONE statement, race-free across nodes: the insert, or the update of a
 * lease this holder has or that has expired; no row back means another holder has it. (Two nodes
 * inserting the same new key: one waits for the other's commit, then takes the update path.)
 */
function claimSql(table: string, key: string): string {
  return `INSERT INTO ${table} (${key}, holder, expires_at) VALUES ($1, $2, $3::bigint + $4::bigint)
    ON CONFLICT (${key}) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
    WHERE ${table}.holder = excluded.holder OR ${table}.expires_at <= $3::bigint
    RETURNING holder`;
}

/** The scheduler's view of the shared database: the due index and the per-secret leases. */
export class PostgresRotationSchedule implements RotationSchedule {
  constructor(private readonly db: Database) {}

  async listDue(now: number, limit: number): Promise<string[]> {
    const { rows } = await this.db.query<{ arn: string }>(
      `SELECT arn FROM secrets WHERE next_rotation_at IS NOT NULL AND next_rotation_at <= $1 AND deleted_at IS NULL
       ORDER BY next_rotation_at LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => r.arn);
  }

  async claim(arn: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
    const { rows } = await this.db.query(claimSql("rotation_leases", "arn"), [arn, holder, now, ttlMs]);
    return rows.length === 1;
  }

  async release(arn: string, holder: string): Promise<void> {
    await this.db.query("DELETE FROM rotation_leases WHERE arn = $1 AND holder = $2", [arn, holder]);
  }
}

/** Named leases for background work one node runs at a time (the purge sweep, the scheduler's pass). */
export class PostgresLeaseStore implements LeaseStore {
  constructor(private readonly db: Database) {}

  async claim(name: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
    const { rows } = await this.db.query(claimSql("leases", "name"), [name, holder, now, ttlMs]);
    return rows.length === 1;
  }

  async release(name: string, holder: string): Promise<void> {
    await this.db.query("DELETE FROM leases WHERE name = $1 AND holder = $2", [name, holder]);
  }

  async holder(name: string, now: number): Promise<string | undefined> {
    const { rows } = await this.db.query<{ holder: string }>(
      "SELECT holder FROM leases WHERE name = $1 AND expires_at > $2",
      [name, now],
    );
    return rows[0]?.holder;
  }
}
