import { compact, rotationStatusToWire, secretMetadataToWire } from "./wire.js";
import { typedOperation, type WireInput } from "./wire-types.js";

export const describeSecret = typedOperation<WireInput<"DescribeSecret">>(
  async (input, { scope }, { reader }) => {
    const { secret, versions } = await reader.describe(scope, input.SecretId);
    const versionIdsToStages: Record<string, string[]> = {};
    for (const version of versions) {
      if (version.stages.length > 0) versionIdsToStages[version.versionId] = version.stages;
    }
    return compact({
      ...secretMetadataToWire(secret),
      VersionIdsToStages: versionIdsToStages,
      CofferRotationStatus: rotationStatusToWire(secret.rotation),
    });
  },
);
