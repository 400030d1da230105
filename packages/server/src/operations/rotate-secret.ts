import { NotImplementedYetException } from "../errors/catalog.js";
import type { OperationServices } from "./operation.js";
import { typedOperation, type WireInput } from "./wire-types.js";

export function rotationOf(services: OperationServices) {
  if (!services.rotation) {
    throw new NotImplementedYetException(
      "Rotation is not configured on this Coffer server; no change was made.",
    );
  }
  return services.rotation;
}

export const rotateSecret = typedOperation<WireInput<"RotateSecret">>(async (input, { scope }, services) => {
  const rules = input.RotationRules;
  const rotated = await rotationOf(services).rotate(scope, {
    secretId: input.SecretId,
    clientRequestToken: input.ClientRequestToken,
    rotationLambdaArn: input.RotationLambdaARN,
    rotationRules: rules && {
      automaticallyAfterDays: rules.AutomaticallyAfterDays,
      scheduleExpression: rules.ScheduleExpression,
      duration: rules.Duration,
    },
    externalMetadata: input.ExternalSecretRotationMetadata,
    externalRoleArn: input.ExternalSecretRotationRoleArn,
    rotateImmediately: input.RotateImmediately,
  });
  return { ARN: rotated.arn, Name: rotated.name, VersionId: rotated.versionId };
});
