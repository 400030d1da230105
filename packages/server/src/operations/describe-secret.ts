import type { Operation } from "./operation.js";
import { compact, secretMetadataToWire } from "./wire.js";

export const describeSecret: Operation = async (raw, { scope }, { reader }) => {
  const { secret, versions } = await reader.describe(scope, (raw as { SecretId: string }).SecretId);
  const versionIdsToStages: Record<string, string[]> = {};
  for (const version of versions) {
    if (version.stages.length > 0) versionIdsToStages[version.versionId] = version.stages;
  }
  return compact({ ...secretMetadataToWire(secret), VersionIdsToStages: versionIdsToStages });
};
