import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import {
  AUDIT_EVENT_SOURCE,
  AUDIT_EVENT_VERSION,
  type AuditEvent,
  SECRET_RESOURCE_TYPE,
} from "../audit/event.js";
import type { ReplicationAuditEntry } from "../domain/secrets/replication-audit.js";

/**
 * A replicated change as a CloudTrail service event in the replica's region, as AWS logs
 * ReplicationSucceeded / ReplicationFailed for Secrets Manager: the replica's ARN is the resource,
 * the primary and the replicated operation are in `additionalEventData`. Never a value.
 */
export function replicationAuditEvent(entry: ReplicationAuditEntry, accountId: string): AuditEvent {
  const failed = entry.event === "ReplicationFailed";
  return {
    eventVersion: AUDIT_EVENT_VERSION,
    userIdentity: { type: "CofferService", arn: "", accountId, accessKeyId: "" },
    eventTime: new Date(entry.time).toISOString(),
    eventSource: AUDIT_EVENT_SOURCE,
    eventName: entry.event,
    awsRegion: entry.region,
    sourceIPAddress: "localhost",
    userAgent: `coffer server (host ${hostname()}, pid ${process.pid})`,
    requestParameters: null,
    responseElements: null,
    ...(failed ? { errorCode: "ReplicationFailed", errorMessage: entry.message ?? "" } : {}),
    requestID: randomUUID(),
    eventID: randomUUID(),
    readOnly: false,
    resources: [{ ARN: entry.replicaArn, type: SECRET_RESOURCE_TYPE, accountId }],
    additionalEventData: {
      primaryArn: entry.primaryArn,
      primaryRegion: entry.primaryRegion,
      operation: entry.operation,
    },
    eventType: "AwsServiceEvent",
    managementEvent: true,
    eventCategory: "Management",
    recipientAccountId: accountId,
  };
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
