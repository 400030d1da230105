import { compact, replicationStatusToWire } from "./wire.js";
import { typedOperation, type WireInput } from "./wire-types.js";

/** ReplicateSecretToRegions, RemoveRegionsFromReplication, StopReplicationToReplica (docs/replication.md). */
export const replicateSecretToRegions = typedOperation<WireInput<"ReplicateSecretToRegions">>(
  async (input, { scope }, { writer }) => {
    const done = await writer.replicate(scope, {
      secretId: input.SecretId,
      addReplicaRegions: input.AddReplicaRegions.map((r) => ({
        region: r.Region ?? "",
        kmsKeyId: r.KmsKeyId,
      })),
      forceOverwriteReplicaSecret: input.ForceOverwriteReplicaSecret,
    });
    return { ARN: done.arn, ReplicationStatus: replicationStatusToWire(done.replicationStatus) };
  },
);

export const removeRegionsFromReplication = typedOperation<WireInput<"RemoveRegionsFromReplication">>(
  async (input, { scope }, { writer }) => {
    const done = await writer.removeRegions(scope, {
      secretId: input.SecretId,
      regions: input.RemoveReplicaRegions,
    });
    return compact({ ARN: done.arn, ReplicationStatus: replicationStatusToWire(done.replicationStatus) });
  },
);

export const stopReplicationToReplica = typedOperation<WireInput<"StopReplicationToReplica">>(
  async (input, { scope }, { writer }) => {
    const done = await writer.promote(scope, input.SecretId);
    return { ARN: done.arn };
  },
);
