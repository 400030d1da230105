import type { Operation } from "./operation.js";

interface UpdateSecretVersionStageRequest {
  SecretId: string;
  VersionStage: string;
  RemoveFromVersionId?: string;
  MoveToVersionId?: string;
}

export const updateSecretVersionStage: Operation = async (raw, { scope }, { writer }) => {
  const input = raw as unknown as UpdateSecretVersionStageRequest;
  const ref = await writer.updateVersionStage(scope, {
    secretId: input.SecretId,
    stage: input.VersionStage,
    ...(input.RemoveFromVersionId !== undefined ? { removeFromVersionId: input.RemoveFromVersionId } : {}),
    ...(input.MoveToVersionId !== undefined ? { moveToVersionId: input.MoveToVersionId } : {}),
  });
  return { ARN: ref.arn, Name: ref.name };
};
