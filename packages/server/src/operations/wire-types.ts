/**
 * Operation inputs typed by the AWS SDK's own generated model types, rather than hand-copied
 * interfaces: `WireInput<"PutSecretValue">` is `PutSecretValueRequest` as AWS JSON 1.1 carries it.
 * The types are erased at build time (the server does not depend on the SDK at run time).
 */
import type * as SecretsManager from "@aws-sdk/client-secrets-manager";
import type { Operation, OperationContext, OperationServices } from "./operation.js";

type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];

/**
 * An SDK shape as it travels in AWS JSON 1.1 once the model validator has passed it: timestamps are
 * epoch seconds, blobs base64 text, and members the model requires are present (the SDK types them
 * `T | undefined` so a caller can build a request step by step; the validator has refused it otherwise).
 */
export type OnTheWire<T> = T extends Date
  ? number
  : T extends Uint8Array
    ? string
    : T extends readonly (infer Item)[]
      ? OnTheWire<Item>[]
      : T extends object
        ? {
            [K in keyof T as K extends RequiredKeys<T> ? K : never]-?: OnTheWire<Exclude<T[K], undefined>>;
          } & {
            [K in keyof T as K extends RequiredKeys<T> ? never : K]?: OnTheWire<Exclude<T[K], undefined>>;
          }
        : T;

type SdkInput<Name extends string> = `${Name}Request` extends keyof SecretsManagerTypes
  ? SecretsManagerTypes[`${Name}Request`]
  : never;

interface SecretsManagerTypes {
  BatchGetSecretValueRequest: SecretsManager.BatchGetSecretValueRequest;
  CancelRotateSecretRequest: SecretsManager.CancelRotateSecretRequest;
  CreateSecretRequest: SecretsManager.CreateSecretRequest;
  DeleteResourcePolicyRequest: SecretsManager.DeleteResourcePolicyRequest;
  DeleteSecretRequest: SecretsManager.DeleteSecretRequest;
  DescribeSecretRequest: SecretsManager.DescribeSecretRequest;
  GetRandomPasswordRequest: SecretsManager.GetRandomPasswordRequest;
  GetResourcePolicyRequest: SecretsManager.GetResourcePolicyRequest;
  GetSecretValueRequest: SecretsManager.GetSecretValueRequest;
  ListSecretVersionIdsRequest: SecretsManager.ListSecretVersionIdsRequest;
  ListSecretsRequest: SecretsManager.ListSecretsRequest;
  PutResourcePolicyRequest: SecretsManager.PutResourcePolicyRequest;
  PutSecretValueRequest: SecretsManager.PutSecretValueRequest;
  RemoveRegionsFromReplicationRequest: SecretsManager.RemoveRegionsFromReplicationRequest;
  ReplicateSecretToRegionsRequest: SecretsManager.ReplicateSecretToRegionsRequest;
  RestoreSecretRequest: SecretsManager.RestoreSecretRequest;
  RotateSecretRequest: SecretsManager.RotateSecretRequest;
  StopReplicationToReplicaRequest: SecretsManager.StopReplicationToReplicaRequest;
  TagResourceRequest: SecretsManager.TagResourceRequest;
  UntagResourceRequest: SecretsManager.UntagResourceRequest;
  UpdateSecretRequest: SecretsManager.UpdateSecretRequest;
  UpdateSecretVersionStageRequest: SecretsManager.UpdateSecretVersionStageRequest;
  ValidateResourcePolicyRequest: SecretsManager.ValidateResourcePolicyRequest;
}

/** The validated input of a Secrets Manager operation, typed by the SDK's model. */
export type WireInput<Name extends string> = OnTheWire<SdkInput<Name>>;

/**
 * An operation whose handler takes its typed input. The one cast from the parsed JSON to that type
 * lives here: the pipeline runs a handler only on input the model validator accepted, and the SDK's
 * types are generated from the same model.
 */
export function typedOperation<Input>(
  handler: (input: Input, context: OperationContext, services: OperationServices) => Promise<object>,
): Operation {
  return (input, context, services) => handler(input as Input, context, services);
}
