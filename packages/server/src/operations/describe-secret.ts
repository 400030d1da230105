import type { Operation } from "./operation.js";
import { compact, epochSeconds, optionalEpochSeconds } from "./wire.js";

export const describeSecret: Operation = async (raw, { scope }, { reader }) => {
  const { secret, versions } = await reader.describe(scope, (raw as { SecretId: string }).SecretId);
  const versionIdsToStages: Record<string, string[]> = {};
  for (const version of versions) {
    if (version.stages.length > 0) versionIdsToStages[version.versionId] = version.stages;
  }
  return compact({
    ARN: secret.arn,
    Name: secret.name,
    Description: secret.description,
    KmsKeyId: secret.kmsKeyId,
    RotationEnabled: false,
    LastChangedDate: epochSeconds(secret.lastChangedAt),
    LastAccessedDate: optionalEpochSeconds(secret.lastAccessedAt),
    DeletedDate: optionalEpochSeconds(secret.deletedAt),
    Tags: secret.tags,
    VersionIdsToStages: versionIdsToStages,
    CreatedDate: epochSeconds(secret.createdAt),
    PrimaryRegion: secret.region,
  });
};
