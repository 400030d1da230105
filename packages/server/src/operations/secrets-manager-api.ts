import { idempotencyTokenMembers } from "../protocol/idempotency-tokens.js";
import { loadServiceModel } from "../protocol/model.js";
import { describeApi } from "./describe-api.js";
import type { ApiDescriptor } from "./operation.js";
import { operations, unscopedOperations } from "./registry.js";

const everything = () => "*";
const bySecret = () => undefined;

/** AWS Secrets Manager as the pipeline serves it: every operation of the service model, described. */
export function createSecretsManagerApi(): ApiDescriptor {
  const model = loadServiceModel();
  const tokens = idempotencyTokenMembers(model);
  return describeApi({
    name: "secretsmanager",
    model,
    handlers: operations,
    resourceOf: (operation) => (unscopedOperations.has(operation) ? everything : bySecret),
    idempotencyTokensOf: (operation) => tokens.get(operation) ?? [],
  });
}
