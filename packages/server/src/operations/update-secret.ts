import type { Operation } from "./operation.js";
import { compact, valueFromWire } from "./wire.js";

interface UpdateSecretRequest {
  SecretId: string;
  ClientRequestToken?: string;
  Description?: string;
  KmsKeyId?: string;
  SecretString?: string;
  SecretBinary?: string;
}

export const updateSecret: Operation = async (raw, { scope }, { writer }) => {
  const input = raw as unknown as UpdateSecretRequest;
  const updated = await writer.update(scope, {
    secretId: input.SecretId,
    clientRequestToken: input.ClientRequestToken,
    description: input.Description,
    kmsKeyId: input.KmsKeyId,
    value: valueFromWire(input),
  });
  return compact({ ARN: updated.arn, Name: updated.name, VersionId: updated.versionId });
};
