import { rotationOf } from "./rotate-secret.js";
import { compact } from "./wire.js";
import { typedOperation, type WireInput } from "./wire-types.js";

export const cancelRotateSecret = typedOperation<WireInput<"CancelRotateSecret">>(
  async (input, { scope }, services) => {
    const cancelled = await rotationOf(services).cancel(scope, input.SecretId);
    return compact({ ARN: cancelled.arn, Name: cancelled.name, VersionId: cancelled.versionId });
  },
);
