import { rmSync } from "node:fs";
import { isExclusivelyLocked, tryExclusiveLock } from "../../os/exclusive-lock.js";

/**
 * One writer per journal: the writer holds an exclusive lock on `<journal>.writer-lock`, which the
 * operating system releases when the process ends, however it ends. A server killed with kill -9
 * (or an out-of-memory kill, or a container restarted with the server as pid 1 again) leaves
 * nothing that stops the next start.
 */
export function acquireJournalLock(journalPath: string): () => void {
  const release = tryExclusiveLock(journalLockPath(journalPath));
  if (release === undefined) {
    throw new Error(
      `The audit trail ${journalPath} is being written by another Coffer process; one server per data folder.`,
    );
  }
  // The pid file earlier versions locked with; holding the real lock proves it stale.
  rmSync(`${journalPath}.lock`, { force: true });
  return release;
}

/** Whether a live process (a server, `coffer admin recover`) holds the journal's writer lock. */
export function journalWriterRunning(journalPath: string): boolean {
  return isExclusivelyLocked(journalLockPath(journalPath));
}

export function journalLockPath(journalPath: string): string {
  return `${journalPath}.writer-lock`;
}
