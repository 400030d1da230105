import { readFileSync, rmSync, writeFileSync } from "node:fs";

/**
 * One writer per journal: `<journal>.lock` holds the writer's pid. A lock left by a process that
 * no longer exists (a crash) is taken over.
 */
export function acquireJournalLock(journalPath: string): () => void {
  const lockPath = `${journalPath}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, String(process.pid), { flag: "wx", mode: 0o600 });
      return () => rmSync(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = journalWriterPid(journalPath);
      if (holder !== undefined) {
        throw new Error(
          `The audit trail ${journalPath} is being written by another Coffer process (pid ${holder}); one server per data folder.`,
        );
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`Could not lock the audit trail ${journalPath}.`);
}

/** The pid of a live process holding the journal's lock, if any. */
export function journalWriterPid(journalPath: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(`${journalPath}.lock`, "utf8"));
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM" ? pid : undefined;
  }
}
