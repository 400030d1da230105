import type { Operation } from "./operation.js";
import { readValueToWire } from "./wire.js";

interface GetSecretValueRequest {
  SecretId: string;
  VersionId?: string;
  VersionStage?: string;
}

export const getSecretValue: Operation = async (raw, { scope }, { reader }) => {
  const input = raw as unknown as GetSecretValueRequest;
  const read = await reader.getValue(scope, {
    secretId: input.SecretId,
    versionId: input.VersionId,
    versionStage: input.VersionStage,
  });
  return readValueToWire(read);
};
