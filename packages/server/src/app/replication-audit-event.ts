import type { AuditEvent } from "../audit/event.js";
import type { ReplicationAuditEntry } from "../domain/secrets/replication-audit.js";
import { serviceAuditEvent } from "./service-audit-event.js";

/**
 * A replicated change as a CloudTrail service event in the replica's region, as AWS logs
 * ReplicationSucceeded / ReplicationFailed for Secrets Manager: the replica's ARN is the resource,
 * the primary and the replicated operation are in `additionalEventData`. Never a value.
 */
export function replicationAuditEvent(entry: ReplicationAuditEntry, accountId: string): AuditEvent {
  const failed = entry.event === "ReplicationFailed";
  return serviceAuditEvent({
    eventName: entry.event,
    time: entry.time,
    region: entry.region,
    accountId,
    secretArn: entry.replicaArn,
    additionalEventData: {
      primaryArn: entry.primaryArn,
      primaryRegion: entry.primaryRegion,
      operation: entry.operation,
    },
    ...(failed ? { errorCode: "ReplicationFailed", errorMessage: entry.message ?? "" } : {}),
  });
}

/** The domain's replication audit port over the server's audit trail. */
export function replicationAuditOn(
  log: { append(event: AuditEvent): Promise<unknown> },
  accountId: string,
): { record(entries: readonly ReplicationAuditEntry[]): Promise<void> } {
  return {
    record: async (entries) => {
      await Promise.all(entries.map((entry) => log.append(replicationAuditEvent(entry, accountId))));
    },
  };
}
