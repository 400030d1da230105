import { compact, rotationStatusToWire, secretMetadataToWire, versionsToStagesWire } from "./wire.js";
import { typedOperation, type WireInput } from "./wire-types.js";

export const describeSecret = typedOperation<WireInput<"DescribeSecret">>(
  async (input, { scope }, { reader }) => {
    const { secret, versions, replicationStatus } = await reader.describe(scope, input.SecretId);
    return compact({
      ...secretMetadataToWire(secret, replicationStatus),
      VersionIdsToStages: versionsToStagesWire(versions),
      CofferRotationStatus: rotationStatusToWire(secret.rotation),
    });
  },
);
