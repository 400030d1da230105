import { randomUUID } from "node:crypto";
import type { OutsideChangeSink, Stores } from "../../domain/ports/stores.js";
import { ChangeFeed, changeEventChannel, changeEventPayload } from "./change-feed.js";
import {
  clientConfig,
  Database,
  defaults,
  type PostgresConnectionOptions,
  redactedUrl,
} from "./connection.js";
import { PostgresIdentityStore } from "./identity-store.js";
import { PostgresLeaseStore, PostgresRotationSchedule } from "./leases.js";
import { latestSchemaVersion, migrate, newerSchemaError, schemaVersion } from "./migrations.js";
import { PostgresNodeRegistry } from "./node-registry.js";
import { PostgresSecretStore } from "./postgres-store.js";

export interface PostgresStoreOptions extends PostgresConnectionOptions {
  /** Tags this node's change notices, so it ignores its own (default: a random id). */
  nodeId?: string;
  /** How often the change feed checks for changes it heard no notice of (default 2000 ms). */
  fallbackPollMs?: number;
  /** Backoff of the change feed's reconnection (default 100 ms doubling to 5000 ms). */
  reconnectDelayMs?: { min: number; max: number };
  /** How long a catch-up waits on the change feed's connection (default 1000 ms). */
  catchUpTimeoutMs?: number;
}

/**
 * Opens the shared engine: a connection pool on the database at `url`, whose schema it brings up
 * to date first (safe when several nodes start at once). Fails, with the pool closed, when the
 * database cannot be reached or holds a schema newer than this Coffer.
 */
export async function openPostgresStores(options: PostgresStoreOptions): Promise<Stores> {
  const db = new Database(options);
  const location = redactedUrl(options.url);
  try {
    const client = await db.pool.connect();
    try {
      await migrate(client);
      client.release();
    } catch (error) {
      client.release(error instanceof Error ? error : true);
      throw error;
    }
  } catch (error) {
    await db.end().catch(() => {});
    throw new Error(`Cannot open the PostgreSQL database at ${location}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  const nodeId = options.nodeId ?? randomUUID();
  const secrets = new PostgresSecretStore(db, nodeId);
  const feeds = new Set<ChangeFeed>();
  /** Feeds told to stop whose connection is still closing: `close` waits for them too. */
  const stopping = new Set<Promise<void>>();
  const connectTimeoutMs = options.connectTimeoutMs ?? defaults.connectTimeoutMs;
  let closed: Promise<void> | undefined;
  return {
    engine: "postgres",
    location,
    secrets,
    settings: secrets,
    identity: new PostgresIdentityStore(db, nodeId),
    rotation: new PostgresRotationSchedule(db),
    leases: new PostgresLeaseStore(db),
    nodes: new PostgresNodeRegistry(db),
    watchOutsideChanges(sink: OutsideChangeSink, onError: (error: unknown) => void = () => {}) {
      const feed = new ChangeFeed(
        {
          connection: clientConfig(options),
          nodeId,
          fallbackPollMs: options.fallbackPollMs ?? 2_000,
          reconnectDelayMs: options.reconnectDelayMs ?? { min: 100, max: 5_000 },
          catchUpTimeoutMs: options.catchUpTimeoutMs,
          databaseKey: db.key,
        },
        sink,
        onError,
      );
      feeds.add(feed);
      feed.start();
      return () => {
        if (!feeds.delete(feed)) return;
        const stopped = feed.stop().finally(() => stopping.delete(stopped));
        stopping.add(stopped);
      };
    },
    announceChangeEvent(notice) {
      // After the commit, on any pooled connection; a failure loses only this stream event.
      db.query(
        "SELECT pg_notify($1, $2)",
        [changeEventChannel, changeEventPayload(nodeId, notice)],
        false,
      ).catch(() => {});
    },
    async catchUp() {
      await Promise.all([...feeds].map((feed) => feed.catchUp()));
    },
    async ping() {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `The PostgreSQL database at ${location} did not answer within ${connectTimeoutMs} ms`,
              ),
            ),
          connectTimeoutMs,
        );
      });
      const check = (async () => {
        let version: number;
        try {
          version = await schemaVersion(db);
        } catch (error) {
          throw new Error(`The PostgreSQL database at ${location} cannot be used: ${messageOf(error)}`, {
            cause: error,
          });
        }
        if (version > latestSchemaVersion) throw newerSchemaError(version);
        if (version < latestSchemaVersion)
          throw new Error(
            `The PostgreSQL database at ${location} holds schema version ${version}, not ${latestSchemaVersion}`,
          );
      })();
      check.catch(() => {});
      try {
        await Promise.race([check, deadline]);
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      closed ??= (async () => {
        await Promise.all([...[...feeds].map((feed) => feed.stop()), ...stopping]);
        feeds.clear();
        await secrets.close();
        await db.end();
      })();
      return closed;
    },
  };
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return messageOf(error.errors[0]);
  return error instanceof Error ? error.message || String((error as { code?: unknown }).code) : String(error);
}
