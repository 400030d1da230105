import type { Keyring } from "../crypto/keyring.js";
import type { InvalidationSink } from "../domain/secrets/invalidations.js";

/** How often the server looks for changes made by other processes; see docs/adr/0008. */
export const defaultOutsideChangeIntervalMs = 500;

/**
 * Changes this process did not make reach the read model here. Another process may commit to the
 * data folder's database beside the server — `coffer keys rotate` re-wraps data keys and re-seals
 * rows, an operator may edit it — and the master keys may change in the keyring file. Neither
 * passes through this process's writer, so: every `intervalMs`, SQLite's `data_version` (which only
 * other connections' commits change) and the keyring file are checked, and any change drops the
 * whole read model. The timer does not keep the process alive.
 */
export function watchOutsideChanges(deps: {
  dataVersion: () => number;
  keyring: Keyring;
  sink: InvalidationSink;
  intervalMs?: number;
  onError?: (error: unknown) => void;
}): () => void {
  const stopKeys = deps.keyring.onChange(() =>
    deps.sink.invalidate({ kind: "all", reason: "master keys changed" }),
  );
  let seen = deps.dataVersion();
  const timer = setInterval(() => {
    try {
      // Notices a rotated keyring file (the check is rate-limited inside); a change calls onChange.
      deps.keyring.active();
      const version = deps.dataVersion();
      if (version !== seen) {
        seen = version;
        deps.sink.invalidate({ kind: "all", reason: "another process changed the database" });
      }
    } catch (error) {
      // When unsure, drop everything: a failed check must not leave stale data in place.
      deps.sink.invalidate({ kind: "all", reason: "could not check for outside changes" });
      deps.onError?.(error);
    }
  }, deps.intervalMs ?? defaultOutsideChangeIntervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    stopKeys();
  };
}
