import { typedOperation, type WireInput } from "./wire-types.js";

export const restoreSecret = typedOperation<WireInput<"RestoreSecret">>(
  async (input, { scope }, { writer }) => {
    const ref = await writer.restore(scope, input.SecretId);
    return { ARN: ref.arn, Name: ref.name };
  },
);
