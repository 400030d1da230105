import type Database from "better-sqlite3";
import type { LeaseStore } from "../../domain/ports/stores.js";

/** Named leases in the SQLite file (schema v10): one process at a time runs a named job. */
export class SqliteLeaseStore implements LeaseStore {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      get: db.prepare<[string], { holder: string; expires_at: number }>(
        "SELECT holder, expires_at FROM leases WHERE name = ?",
      ),
      upsert: db.prepare(
        `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at`,
      ),
      release: db.prepare("DELETE FROM leases WHERE name = ? AND holder = ?"),
    };
  }

  async claim(name: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
    const s = this.statements;
    // IMMEDIATE: the write lock is taken before the read, so two processes cannot both see it free.
    return this.db
      .transaction(() => {
        const lease = s.get.get(name);
        if (lease && lease.holder !== holder && lease.expires_at > now) return false;
        s.upsert.run(name, holder, now + ttlMs);
        return true;
      })
      .immediate();
  }

  async release(name: string, holder: string): Promise<void> {
    this.statements.release.run(name, holder);
  }

  async holder(name: string, now: number): Promise<string | undefined> {
    const lease = this.statements.get.get(name);
    return lease && lease.expires_at > now ? lease.holder : undefined;
  }
}
