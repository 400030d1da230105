import { typedOperation, type WireInput } from "./wire-types.js";

export const putResourcePolicy = typedOperation<WireInput<"PutResourcePolicy">>(
  async (input, { scope }, { writer }) => {
    const ref = await writer.putResourcePolicy(scope, input.SecretId, input.ResourcePolicy, {
      blockPublicPolicy: input.BlockPublicPolicy ?? false,
    });
    return { ARN: ref.arn, Name: ref.name };
  },
);

export const getResourcePolicy = typedOperation<WireInput<"GetResourcePolicy">>(
  async (input, { scope }, { reader }) => {
    const { secret } = await reader.getResourcePolicy(scope, input.SecretId);
    return secret.resourcePolicy === undefined
      ? { ARN: secret.arn, Name: secret.name }
      : { ARN: secret.arn, Name: secret.name, ResourcePolicy: secret.resourcePolicy };
  },
);

export const deleteResourcePolicy = typedOperation<WireInput<"DeleteResourcePolicy">>(
  async (input, { scope }, { writer }) => {
    const ref = await writer.deleteResourcePolicy(scope, input.SecretId);
    return { ARN: ref.arn, Name: ref.name };
  },
);

export const validateResourcePolicy = typedOperation<WireInput<"ValidateResourcePolicy">>(
  async (input, { scope }, { reader }) =>
    reader.validateResourcePolicy(scope, input.ResourcePolicy, input.SecretId),
);
