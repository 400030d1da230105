import { InvalidRequestException } from "../errors/catalog.js";
import { valueFromWire } from "./wire.js";
import { typedOperation, type WireInput } from "./wire-types.js";

export const putSecretValue = typedOperation<WireInput<"PutSecretValue">>(
  async (input, { scope }, { writer }) => {
    const value = valueFromWire(input);
    if (!value) {
      // AWS answers InvalidRequestException here (its recorded replies), not InvalidParameterException.
      throw new InvalidRequestException("You must provide either SecretString or SecretBinary.");
    }
    const put = await writer.putValue(scope, {
      secretId: input.SecretId,
      clientRequestToken: input.ClientRequestToken,
      value,
      stages: input.VersionStages,
    });
    return { ARN: put.arn, Name: put.name, VersionId: put.versionId, VersionStages: put.stages };
  },
);
