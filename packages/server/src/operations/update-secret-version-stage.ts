import { typedOperation, type WireInput } from "./wire-types.js";

export const updateSecretVersionStage = typedOperation<WireInput<"UpdateSecretVersionStage">>(
  async (input, { scope }, { writer }) => {
    const ref = await writer.updateVersionStage(scope, {
      secretId: input.SecretId,
      stage: input.VersionStage,
      ...(input.RemoveFromVersionId !== undefined ? { removeFromVersionId: input.RemoveFromVersionId } : {}),
      ...(input.MoveToVersionId !== undefined ? { moveToVersionId: input.MoveToVersionId } : {}),
    });
    return { ARN: ref.arn, Name: ref.name };
  },
);
