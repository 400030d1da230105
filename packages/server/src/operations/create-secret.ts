import { NotImplementedYetException } from "../domain/errors.js";
import type { RequestedTag } from "../domain/secrets/tags.js";
import type { Operation } from "./operation.js";
import { compact, valueFromWire } from "./wire.js";

interface CreateSecretRequest {
  Name: string;
  ClientRequestToken?: string;
  Description?: string;
  KmsKeyId?: string;
  SecretString?: string;
  SecretBinary?: string;
  Tags?: RequestedTag[];
  AddReplicaRegions?: unknown[];
}

export const createSecret: Operation = async (raw, { scope }, { writer }) => {
  const input = raw as unknown as CreateSecretRequest;
  if (input.AddReplicaRegions !== undefined && input.AddReplicaRegions.length > 0) {
    throw new NotImplementedYetException(
      "Coffer does not replicate secrets to other regions yet; omit AddReplicaRegions.",
    );
  }
  const created = await writer.create(scope, {
    name: input.Name,
    clientRequestToken: input.ClientRequestToken,
    description: input.Description,
    kmsKeyId: input.KmsKeyId,
    value: valueFromWire(input),
    tags: input.Tags,
  });
  return compact({
    ARN: created.arn,
    Name: created.name,
    VersionId: created.versionId,
    ReplicationStatus: [],
  });
};
