import type { AuditStore } from "../../../audit/port.js";
import { PostgresAuditStore } from "./postgres-audit-store.js";

/** Whether a trail location names a PostgreSQL database (`postgres://…` or `postgresql://…`). */
export function isPostgresLocation(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * The audit trail of a PostgreSQL database, for `coffer audit verify|query|tail|export`: read,
 * query and verify only; creates nothing, and refuses a database that holds no Coffer trail.
 * Its connection pool is its own and ends with `close()`.
 */
export async function openAuditStoreForReading(location: string): Promise<AuditStore> {
  if (!isPostgresLocation(location)) {
    throw new TypeError("An audit trail in PostgreSQL is named by a postgres:// or postgresql:// URL.");
  }
  return PostgresAuditStore.open({ url: location, readOnly: true, maxConnections: 2 });
}
