import { compact, replicationStatusToWire, valueFromWire } from "./wire.js";
import { typedOperation, type WireInput } from "./wire-types.js";

export const createSecret = typedOperation<WireInput<"CreateSecret">>(
  async (input, { scope }, { writer }) => {
    const created = await writer.create(scope, {
      name: input.Name,
      clientRequestToken: input.ClientRequestToken,
      description: input.Description,
      kmsKeyId: input.KmsKeyId,
      value: valueFromWire(input),
      tags: input.Tags,
      type: input.Type,
      addReplicaRegions: input.AddReplicaRegions?.map((r) => ({
        region: r.Region ?? "",
        kmsKeyId: r.KmsKeyId,
      })),
      forceOverwriteReplicaSecret: input.ForceOverwriteReplicaSecret,
    });
    // ReplicationStatus only when the call asked for replica regions, as AWS sends it.
    return compact({
      ARN: created.arn,
      Name: created.name,
      VersionId: created.versionId,
      ReplicationStatus: created.replicationStatus
        ? replicationStatusToWire(created.replicationStatus)
        : undefined,
    });
  },
);
