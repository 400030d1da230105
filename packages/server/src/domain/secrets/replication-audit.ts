import type { ReplicaStatus, SecretRecord } from "./records.js";
import { replicaArnOf } from "./replica-arn.js";

/**
 * Replication's facts for the audit trail (docs/replication.md), written as service events in the
 * replica's region, as AWS logs ReplicationSucceeded / ReplicationFailed for Secrets Manager in
 * CloudTrail: besides the request's own event (in the primary's region), each replica the change
 * reached (or a region it could not reach) gets one, naming the replica's ARN. Never a value.
 */
export interface ReplicationAuditEntry {
  event: "ReplicationSucceeded" | "ReplicationFailed";
  /** The replica's ARN (the primary's, with the replica's region); the secret the event is about. */
  replicaArn: string;
  /** The replica's region: the event is attributed to it. */
  region: string;
  primaryArn: string;
  primaryRegion: string;
  /** The primary's change that was replicated (`PutSecretValue`, `ReplicateSecretToRegions`…). */
  operation: string;
  /** A failed region's StatusMessage. */
  message?: string | undefined;
  time: number;
}

/** Durably appends the entries, or rejects. */
export interface ReplicationAudit {
  record(entries: readonly ReplicationAuditEntry[]): Promise<void>;
}

/**
 * The events of one committed change of `primary` that reached (or failed to reach) `replicas`:
 * `ReplicationSucceeded` for a replica that took it, `ReplicationFailed` (with its StatusMessage)
 * for a region that holds no replica because of it.
 */
export function replicationAuditEntries(
  primary: Pick<SecretRecord, "arn" | "region">,
  operation: string,
  replicas: readonly ReplicaStatus[],
  time: number,
): ReplicationAuditEntry[] {
  return replicas.map((replica) => ({
    event: replica.status === "Failed" ? "ReplicationFailed" : "ReplicationSucceeded",
    replicaArn: replicaArnOf(primary.arn, replica.region),
    region: replica.region,
    primaryArn: primary.arn,
    primaryRegion: primary.region,
    operation,
    ...(replica.statusMessage !== undefined ? { message: replica.statusMessage } : {}),
    time,
  }));
}
