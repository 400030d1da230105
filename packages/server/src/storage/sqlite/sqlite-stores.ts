import type { Stores } from "../../domain/ports/stores.js";
import type { InvalidationSink } from "../../domain/secrets/invalidations.js";
import { latestSchemaVersion } from "./migrations.js";
import { SqliteStore, type SqliteStoreOptions } from "./sqlite-store.js";
import { withStorageFaults } from "./storage-faults.js";

/** How often a server looks for commits other processes made to its file; see docs/adr/0008. */
export const defaultOutsideChangeIntervalMs = 500;

export interface SqliteStoresOptions extends SqliteStoreOptions {
  /** Default {@link defaultOutsideChangeIntervalMs}. */
  outsideChangeIntervalMs?: number;
}

/**
 * The embedded engine behind the domain's ports: one SQLite file. A full disk or I/O fault is
 * reported as a retryable 503 (storage-faults.ts), not an internal error.
 */
export function openSqliteStores(path: string, options: SqliteStoresOptions = {}): Stores {
  const store = withStorageFaults(new SqliteStore(path, options), [
    "identity",
    "rotation",
    "leases",
    "nodes",
  ]);
  const intervalMs = options.outsideChangeIntervalMs ?? defaultOutsideChangeIntervalMs;
  return {
    engine: "sqlite",
    location: path,
    secrets: store,
    settings: store,
    identity: store.identity,
    rotation: store.rotation,
    leases: store.leases,
    nodes: store.nodes,
    watchOutsideChanges: (sink, onError) => watchDataVersion(store, sink, intervalMs, onError),
    async ping() {
      const version = await store.schemaVersion();
      if (version !== latestSchemaVersion) {
        throw new Error(
          `the database's schema is version ${version}, this Coffer needs ${latestSchemaVersion}`,
        );
      }
    },
    close: () => store.close(),
  };
}

/**
 * Another process may commit to the same file beside the server (`coffer keys rotate` re-wraps
 * data keys and re-seals rows; an operator may edit it). SQLite's `data_version` changes only with
 * other connections' commits: every `intervalMs` it is read, and any change drops everything (the
 * file does not say which secret changed). The timer does not keep the process alive.
 */
function watchDataVersion(
  store: SqliteStore,
  sink: InvalidationSink,
  intervalMs: number,
  onError: ((error: unknown) => void) | undefined,
): () => void {
  let seen = store.dataVersion();
  const timer = setInterval(() => {
    try {
      const version = store.dataVersion();
      if (version !== seen) {
        seen = version;
        sink.invalidate({ kind: "all", reason: "another process changed the database" });
      }
    } catch (error) {
      // When unsure, drop everything: a failed check must not leave stale data in place.
      sink.invalidate({ kind: "all", reason: "could not check for outside changes" });
      onError?.(error);
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
