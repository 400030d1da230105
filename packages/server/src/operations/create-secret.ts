import { NotImplementedYetException } from "../errors/catalog.js";
import { compact, valueFromWire } from "./wire.js";
import { typedOperation, type WireInput } from "./wire-types.js";

export const createSecret = typedOperation<WireInput<"CreateSecret">>(
  async (input, { scope }, { writer }) => {
    if (input.AddReplicaRegions !== undefined && input.AddReplicaRegions.length > 0) {
      throw new NotImplementedYetException(
        "Coffer does not replicate secrets to other regions yet; omit AddReplicaRegions.",
      );
    }
    const created = await writer.create(scope, {
      name: input.Name,
      clientRequestToken: input.ClientRequestToken,
      description: input.Description,
      kmsKeyId: input.KmsKeyId,
      value: valueFromWire(input),
      tags: input.Tags,
      type: input.Type,
    });
    // No ReplicationStatus: AWS sends it only when the call asked for replica regions.
    return compact({ ARN: created.arn, Name: created.name, VersionId: created.versionId });
  },
);
