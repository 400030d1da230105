import { closeSync, openSync, unlinkSync } from "node:fs";
import { isErrnoException } from "./atomicFile.js";

/**
 * Runs `action` while holding `<path>.lock`. Rotation and retirement are read-modify-write on the
 * keyring file; without the lock two concurrent runs could each write their own version and the
 * loser's new key would vanish, taking every value wrapped under it with it.
 *
 * Deliberately does not wait or steal stale locks: these are rare operator actions, and a clear
 * error is safer than guessing whether another process is still alive.
 */
export function withFileLock<T>(path: string, action: () => T): T {
  const lockPath = `${path}.lock`;
  let fd: number;
  try {
    fd = openSync(lockPath, "wx", 0o600);
  } catch (error) {
    if (isErrnoException(error) && error.code === "EEXIST") {
      throw new Error(
        `Another keyring change is in progress (lock file ${lockPath} exists). ` +
          "If no other coffer command is running, delete that file and retry.",
      );
    }
    throw error;
  }
  try {
    return action();
  } finally {
    closeSync(fd);
    unlinkSync(lockPath);
  }
}
