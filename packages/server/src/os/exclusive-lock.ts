import { chmodSync, closeSync, openSync } from "node:fs";
import Database from "better-sqlite3";

/**
 * An exclusive lock on `path` that the operating system drops when the holding process dies (a
 * crash, kill -9, an out-of-memory kill): no pid is recorded, so nothing goes stale — not even in a
 * container, where a restarted server is pid 1 again. Node has no flock(2), so SQLite's own fcntl
 * locking does it: a small database at `path` opened with `locking_mode=EXCLUSIVE` keeps its write
 * lock from the first write until it is closed. Another opener — another process, or another
 * connection in this process — gets SQLITE_BUSY at once.
 *
 * Returns the release function, or undefined when someone else holds the lock. The lock file stays
 * in place after release: deleting it could let two processes lock two different files.
 */
export function tryExclusiveLock(path: string): (() => void) | undefined {
  let db: Database.Database;
  try {
    // Owner-only, like every file of the data folder.
    closeSync(openSync(path, "a", 0o600));
    chmodSync(path, 0o600);
    db = new Database(path, { timeout: 0 });
  } catch (error) {
    if (isBusy(error)) return undefined;
    throw error;
  }
  try {
    // No rollback journal file beside it: the table is created once and never holds data.
    db.pragma("journal_mode = MEMORY");
    db.pragma("locking_mode = EXCLUSIVE");
    // A write takes the EXCLUSIVE lock; in this locking mode it is kept until the connection closes.
    db.exec("BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS coffer_lock (id INTEGER PRIMARY KEY); COMMIT");
  } catch (error) {
    db.close();
    if (isBusy(error)) return undefined;
    throw error;
  }
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    db.close();
  };
}

/** Whether some process holds the lock at `path` right now (a brief probe; creates the file if absent). */
export function isExclusivelyLocked(path: string): boolean {
  const release = tryExclusiveLock(path);
  if (release === undefined) return true;
  release();
  return false;
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === "SQLITE_BUSY" || code === "SQLITE_LOCKED";
}
