import type { Operation } from "./operation.js";
import { epochSeconds } from "./wire.js";

interface DeleteSecretRequest {
  SecretId: string;
  RecoveryWindowInDays?: number;
  ForceDeleteWithoutRecovery?: boolean;
}

export const deleteSecret: Operation = async (raw, { scope }, { writer }) => {
  const input = raw as unknown as DeleteSecretRequest;
  const deleted = await writer.delete(scope, {
    secretId: input.SecretId,
    ...(input.RecoveryWindowInDays !== undefined ? { recoveryWindowInDays: input.RecoveryWindowInDays } : {}),
    ...(input.ForceDeleteWithoutRecovery !== undefined
      ? { forceDeleteWithoutRecovery: input.ForceDeleteWithoutRecovery }
      : {}),
  });
  return { ARN: deleted.arn, Name: deleted.name, DeletionDate: epochSeconds(deleted.deletionDate) };
};
