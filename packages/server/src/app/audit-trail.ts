import { AuditLog } from "../audit/audit-log.js";
import { loadConfig } from "../config/config.js";
import { SqliteAuditStore } from "../storage/sqlite/audit/sqlite-audit-store.js";

/**
 * The audit trail of a data folder, opened read-only beside a running server (`coffer audit …`).
 * It is read from disk, not through the API, so it can be verified even when tampering has made
 * the server refuse requests.
 */
export function openAuditTrail(env: Record<string, string | undefined>): AuditLog {
  const config = loadConfig(env);
  return new AuditLog(SqliteAuditStore.inDataFolder(config.home, { readOnly: true }));
}
