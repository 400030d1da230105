import { InvalidParameterException } from "../domain/errors.js";
import type { Operation } from "./operation.js";
import { valueFromWire } from "./wire.js";

interface PutSecretValueRequest {
  SecretId: string;
  ClientRequestToken?: string;
  SecretString?: string;
  SecretBinary?: string;
  VersionStages?: string[];
}

export const putSecretValue: Operation = async (raw, { scope }, { writer }) => {
  const input = raw as unknown as PutSecretValueRequest;
  const value = valueFromWire(input);
  if (!value) {
    throw new InvalidParameterException("You must provide either SecretString or SecretBinary.");
  }
  const put = await writer.putValue(scope, {
    secretId: input.SecretId,
    clientRequestToken: input.ClientRequestToken,
    value,
    stages: input.VersionStages,
  });
  return { ARN: put.arn, Name: put.name, VersionId: put.versionId, VersionStages: put.stages };
};
