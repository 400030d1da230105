import type { Operation } from "./operation.js";

export const restoreSecret: Operation = async (raw, { scope }, { writer }) => {
  const ref = await writer.restore(scope, (raw as { SecretId: string }).SecretId);
  return { ARN: ref.arn, Name: ref.name };
};
