import type Database from "better-sqlite3";
import type { RotationSchedule } from "../../domain/ports/rotation-schedule.js";

/** The scheduler's view of the SQLite store: the due index (schema v7) and the lease table. */
export class SqliteRotationSchedule implements RotationSchedule {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      due: db
        .prepare<[number, number], string>(
          `SELECT arn FROM secrets INDEXED BY secrets_by_next_rotation
           WHERE next_rotation_at IS NOT NULL AND next_rotation_at <= ? AND deleted_at IS NULL
           ORDER BY next_rotation_at LIMIT ?`,
        )
        .pluck(),
      lease: db.prepare<[string], { holder: string; expires_at: number }>(
        "SELECT holder, expires_at FROM rotation_leases WHERE arn = ?",
      ),
      upsert: db.prepare(
        `INSERT INTO rotation_leases (arn, holder, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (arn) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at`,
      ),
      release: db.prepare("DELETE FROM rotation_leases WHERE arn = ? AND holder = ?"),
    };
  }

  async listDue(now: number, limit: number): Promise<string[]> {
    return this.statements.due.all(now, limit);
  }

  async claim(arn: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
    const s = this.statements;
    // IMMEDIATE: the write lock is taken before the read, so two nodes cannot both see it free.
    return this.db
      .transaction(() => {
        const lease = s.lease.get(arn);
        if (lease && lease.holder !== holder && lease.expires_at > now) return false;
        s.upsert.run(arn, holder, now + ttlMs);
        return true;
      })
      .immediate();
  }

  async release(arn: string, holder: string): Promise<void> {
    this.statements.release.run(arn, holder);
  }
}
