import type { AuditStore } from "../audit/port.js";
import type { StoreLocation } from "../config/config.js";
import type { Stores } from "../domain/ports/stores.js";
import { JournaledAuditStore, type OpenForWritingOptions } from "./file/journaled-audit-store.js";
import { PostgresAuditStore } from "./postgres/audit/postgres-audit-store.js";
import { translatePostgresFault } from "./postgres/faults.js";
import { openPostgresStores } from "./postgres/open-postgres-stores.js";
import { openSqliteStores } from "./sqlite/sqlite-stores.js";
import { translatingErrors } from "./translating-errors.js";

/**
 * The one place an engine is chosen; everything above gets the domain's ports. Each engine reports
 * its transient faults (a full disk, a database that is down) as retryable AWS errors.
 */
export async function openStores(location: StoreLocation, nodeId?: string): Promise<Stores> {
  switch (location.engine) {
    case "sqlite":
      return openSqliteStores(location.path);
    case "postgres":
      return translatingErrors(
        await openPostgresStores({
          url: location.url,
          poolSize: location.poolSize,
          statementTimeoutMs: location.statementTimeoutMs,
          connectTimeoutMs: location.connectTimeoutMs,
          ...(nodeId !== undefined ? { nodeId } : {}),
        }),
        translatePostgresFault,
        ["secrets", "settings", "identity", "rotation", "leases", "nodes"],
      );
  }
}

/**
 * The audit trail that goes with the store: beside SQLite, the journal in the data folder (one
 * writer); on PostgreSQL, one hash chain in the same database that every node appends to
 * (docs/adr/0010). A journal found cut is refused unless the operator acknowledged it.
 */
export async function openAuditStoreForWriting(
  location: StoreLocation,
  home: string,
  options: OpenForWritingOptions,
): Promise<{ store: AuditStore; acknowledgedGap?: JournaledAuditStore["acknowledgedGap"] }> {
  if (location.engine === "postgres") {
    const store = await PostgresAuditStore.open({
      url: location.url,
      timeoutMs: location.statementTimeoutMs,
      connectTimeoutMs: location.connectTimeoutMs,
    });
    return { store };
  }
  const store = JournaledAuditStore.openForWriting(home, options);
  return { store, acknowledgedGap: store.acknowledgedGap };
}
