import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, linkSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";

const PRIVATE_FILE_MODE = 0o600;

/**
 * Writes `data` so that readers see either the old file or the complete new one, never a torn
 * write, and so that it survives a crash once this returns (temp file fsync, rename, dir fsync).
 *
 * With `onlyIfAbsent`, the final step is a hard link instead of a rename: link fails when the
 * target exists, so two processes racing to create the file cannot overwrite each other.
 * Returns false in that case (the file already existed and was left untouched).
 */
export function writeFileAtomically(
  path: string,
  data: string,
  options?: { onlyIfAbsent?: boolean },
): boolean {
  const tempPath = `${path}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
  let tempExists = false;
  try {
    const fd = openSync(tempPath, "wx", PRIVATE_FILE_MODE);
    tempExists = true;
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (options?.onlyIfAbsent) {
      try {
        linkSync(tempPath, path);
      } catch (error) {
        if (isErrnoException(error) && error.code === "EEXIST") return false;
        throw error;
      }
    } else {
      renameSync(tempPath, path);
      tempExists = false;
    }
    syncDirectory(dirname(path));
    return true;
  } finally {
    if (tempExists) unlinkSync(tempPath);
  }
}

// Makes the rename itself durable; some platforms cannot open a directory, and there the rename
// is as durable as the OS makes it anyway.
function syncDirectory(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    fsyncSync(fd);
  } catch {
    // best effort, see above
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && "code" in error;
}
