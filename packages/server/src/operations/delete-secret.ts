import { epochSeconds } from "./wire.js";
import { typedOperation, type WireInput } from "./wire-types.js";

export const deleteSecret = typedOperation<WireInput<"DeleteSecret">>(
  async (input, { scope }, { writer }) => {
    const deleted = await writer.delete(scope, {
      secretId: input.SecretId,
      ...(input.RecoveryWindowInDays !== undefined
        ? { recoveryWindowInDays: input.RecoveryWindowInDays }
        : {}),
      ...(input.ForceDeleteWithoutRecovery !== undefined
        ? { forceDeleteWithoutRecovery: input.ForceDeleteWithoutRecovery }
        : {}),
    });
    return { ARN: deleted.arn, Name: deleted.name, DeletionDate: epochSeconds(deleted.deletionDate) };
  },
);
