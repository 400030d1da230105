import { readValueToWire } from "./wire.js";
import { typedOperation, type WireInput } from "./wire-types.js";

export const getSecretValue = typedOperation<WireInput<"GetSecretValue">>(
  async (input, { scope }, { reader }) => {
    const read = await reader.getValue(scope, {
      secretId: input.SecretId,
      versionId: input.VersionId,
      versionStage: input.VersionStage,
    });
    return readValueToWire(read);
  },
);
