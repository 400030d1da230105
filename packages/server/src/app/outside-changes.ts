import type { Keyring } from "../crypto/keyring.js";
import type { OutsideChangeSink, Stores } from "../domain/ports/stores.js";

/** How often the keyring file is checked for a rotation made by another process; see docs/adr/0008. */
export const defaultKeyringCheckIntervalMs = 500;

/**
 * Changes this process did not make reach the read model here: commits by other processes or nodes
 * (the store's own feed: SQLite's `data_version`, PostgreSQL's notifications) and a change of the
 * master keys in the keyring file (`coffer keys rotate`), which drops everything. The timer does
 * not keep the process alive.
 */
export function watchOutsideChanges(deps: {
  stores: Pick<Stores, "watchOutsideChanges">;
  keyring: Keyring;
  sink: OutsideChangeSink;
  intervalMs?: number;
  onError?: (error: unknown) => void;
}): () => void {
  const stopKeys = deps.keyring.onChange(() =>
    deps.sink.invalidate({ kind: "all", reason: "master keys changed" }),
  );
  const stopStore = deps.stores.watchOutsideChanges(deps.sink, deps.onError);
  const timer = setInterval(() => {
    try {
      // Notices a rotated keyring file (the check is rate-limited inside); a change calls onChange.
      deps.keyring.active();
    } catch (error) {
      deps.sink.invalidate({ kind: "all", reason: "could not check the master keys" });
      deps.onError?.(error);
    }
  }, deps.intervalMs ?? defaultKeyringCheckIntervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    stopStore();
    stopKeys();
  };
}
