import { compact, valueFromWire } from "./wire.js";
import { typedOperation, type WireInput } from "./wire-types.js";

export const updateSecret = typedOperation<WireInput<"UpdateSecret">>(
  async (input, { scope }, { writer }) => {
    const updated = await writer.update(scope, {
      secretId: input.SecretId,
      clientRequestToken: input.ClientRequestToken,
      description: input.Description,
      kmsKeyId: input.KmsKeyId,
      value: valueFromWire(input),
      type: input.Type,
    });
    return compact({ ARN: updated.arn, Name: updated.name, VersionId: updated.versionId });
  },
);
