import { tryExclusiveLock } from "../os/exclusive-lock.js";

/**
 * Runs `action` while holding an exclusive lock on `<path>.lock`. Rotation and retirement are
 * read-modify-write on the keyring file; without the lock two concurrent runs could each write
 * their own version and the loser's new key would vanish, taking every value wrapped under it with it.
 *
 * The operating system releases the lock when its holder dies, so a rotation killed midway leaves
 * nothing that blocks the next one. Deliberately does not wait: these are rare operator actions.
 */
export function withFileLock<T>(path: string, action: () => T): T {
  const lockPath = `${path}.lock`;
  const release = tryExclusiveLock(lockPath);
  if (release === undefined) {
    throw new Error(
      `Another keyring change is in progress (another coffer command holds ${lockPath}); wait for it to finish and retry.`,
    );
  }
  try {
    return action();
  } finally {
    release();
  }
}
