import { AuditLog } from "../audit/audit-log.js";
import { loadConfig } from "../config/config.js";
import { JournaledAuditStore } from "../storage/file/journaled-audit-store.js";

/**
 * The audit trail of a data folder, opened read-only beside a running server (`coffer audit …`).
 * It is read from disk, not through the API, so it can be verified even when tampering has made
 * the server refuse requests.
 */
export async function openAuditTrail(env: Record<string, string | undefined>): Promise<AuditLog> {
  const config = loadConfig(env);
  return new AuditLog(JournaledAuditStore.openForReading(config.home));
}
