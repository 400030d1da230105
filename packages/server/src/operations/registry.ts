import { batchGetSecretValue } from "./batch-get-secret-value.js";
import { cancelRotateSecret } from "./cancel-rotate-secret.js";
import { createSecret } from "./create-secret.js";
import { deleteSecret } from "./delete-secret.js";
import { describeSecret } from "./describe-secret.js";
import { getRandomPassword } from "./get-random-password.js";
import { getSecretValue } from "./get-secret-value.js";
import { listSecretVersionIds } from "./list-secret-version-ids.js";
import { listSecrets } from "./list-secrets.js";
import type { Operation } from "./operation.js";
import { putSecretValue } from "./put-secret-value.js";
import {
  removeRegionsFromReplication,
  replicateSecretToRegions,
  stopReplicationToReplica,
} from "./replication.js";
import {
  deleteResourcePolicy,
  getResourcePolicy,
  putResourcePolicy,
  validateResourcePolicy,
} from "./resource-policy.js";
import { restoreSecret } from "./restore-secret.js";
import { rotateSecret } from "./rotate-secret.js";
import { tagResource, untagResource } from "./tag-resource.js";
import { updateSecret } from "./update-secret.js";
import { updateSecretVersionStage } from "./update-secret-version-stage.js";

/** Every operation of the service model, by its `X-Amz-Target` name. */
export const operations: Readonly<Record<string, Operation>> = {
  BatchGetSecretValue: batchGetSecretValue,
  CancelRotateSecret: cancelRotateSecret,
  CreateSecret: createSecret,
  DeleteResourcePolicy: deleteResourcePolicy,
  DeleteSecret: deleteSecret,
  DescribeSecret: describeSecret,
  GetRandomPassword: getRandomPassword,
  GetResourcePolicy: getResourcePolicy,
  GetSecretValue: getSecretValue,
  ListSecretVersionIds: listSecretVersionIds,
  ListSecrets: listSecrets,
  PutResourcePolicy: putResourcePolicy,
  PutSecretValue: putSecretValue,
  RemoveRegionsFromReplication: removeRegionsFromReplication,
  ReplicateSecretToRegions: replicateSecretToRegions,
  RestoreSecret: restoreSecret,
  RotateSecret: rotateSecret,
  StopReplicationToReplica: stopReplicationToReplica,
  TagResource: tagResource,
  UntagResource: untagResource,
  UpdateSecret: updateSecret,
  UpdateSecretVersionStage: updateSecretVersionStage,
  ValidateResourcePolicy: validateResourcePolicy,
};

/**
 * Operations that act on no particular secret: the pipeline authorizes them on `*` before they run
 * (BatchGetSecretValue's items are then each authorized by the domain, as GetSecretValue).
 */
export const unscopedOperations: ReadonlySet<string> = new Set([
  "ListSecrets",
  "GetRandomPassword",
  "BatchGetSecretValue",
]);
