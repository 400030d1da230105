import type { Operation } from "./operation.js";

export const putResourcePolicy: Operation = async (raw, { scope }, { writer }) => {
  const input = raw as unknown as { SecretId: string; ResourcePolicy: string; BlockPublicPolicy?: boolean };
  const ref = await writer.putResourcePolicy(scope, input.SecretId, input.ResourcePolicy, {
    blockPublicPolicy: input.BlockPublicPolicy ?? false,
  });
  return { ARN: ref.arn, Name: ref.name };
};

export const getResourcePolicy: Operation = async (raw, { scope }, { reader }) => {
  const { secret } = await reader.getResourcePolicy(scope, (raw as { SecretId: string }).SecretId);
  return secret.resourcePolicy === undefined
    ? { ARN: secret.arn, Name: secret.name }
    : { ARN: secret.arn, Name: secret.name, ResourcePolicy: secret.resourcePolicy };
};

export const deleteResourcePolicy: Operation = async (raw, { scope }, { writer }) => {
  const ref = await writer.deleteResourcePolicy(scope, (raw as { SecretId: string }).SecretId);
  return { ARN: ref.arn, Name: ref.name };
};

export const validateResourcePolicy: Operation = async (raw, { scope }, { reader }) => {
  const input = raw as { SecretId?: string; ResourcePolicy: string };
  return reader.validateResourcePolicy(scope, input.ResourcePolicy, input.SecretId);
};
