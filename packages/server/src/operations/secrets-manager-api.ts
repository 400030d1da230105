import { isReadOnlyOperation } from "../audit/event.js";
import { idempotencyTokenMembers } from "../protocol/idempotency-tokens.js";
import { loadServiceModel } from "../protocol/model.js";
import { createInputValidator } from "../protocol/validate.js";
import type { ApiDescriptor, OperationDescriptor } from "./operation.js";
import { operations, unscopedOperations } from "./registry.js";

const everything = () => "*";
const bySecret = () => undefined;

/** AWS Secrets Manager as the pipeline serves it: every operation of the service model, described. */
export function createSecretsManagerApi(): ApiDescriptor {
  const model = loadServiceModel();
  const validator = createInputValidator(model);
  const tokens = idempotencyTokenMembers(model);
  const described = new Map<string, OperationDescriptor>();
  for (const [name, handler] of Object.entries(operations)) {
    described.set(name, {
      name,
      action: `secretsmanager:${name}`,
      readOnly: isReadOnlyOperation(name),
      idempotencyTokens: tokens.get(name) ?? [],
      resource: unscopedOperations.has(name) ? everything : bySecret,
      handler,
    });
  }
  return {
    name: "secretsmanager",
    targetPrefix: "secretsmanager.",
    operations: described,
    validate: (operation, input) => validator.validate(operation, input),
  };
}
