import { isReadOnlyOperation } from "../audit/event.js";
import type { ServiceModel } from "../protocol/model.js";
import { createInputValidator } from "../protocol/validate.js";
import type { ApiDescriptor, Operation, OperationDescriptor } from "./operation.js";

/** What differs between the APIs served at `POST /`; the rest of a descriptor follows from it. */
export interface ApiDefinition {
  /** `secretsmanager` or `coffer`: the target and IAM action prefix. */
  name: string;
  model: ServiceModel;
  handlers: Readonly<Record<string, Operation>>;
  /** The fixed resource an operation is authorized on by the pipeline (see OperationDescriptor.resource). */
  resourceOf(operation: string): OperationDescriptor["resource"];
  idempotencyTokensOf?(operation: string): readonly string[];
}

/** Describes every operation of an API: action `<name>:<Op>`, read-only by its name, its validator. */
export function describeApi(definition: ApiDefinition): ApiDescriptor {
  const validator = createInputValidator(definition.model);
  const operations = new Map<string, OperationDescriptor>();
  for (const [name, handler] of Object.entries(definition.handlers)) {
    operations.set(name, {
      name,
      action: `${definition.name}:${name}`,
      readOnly: isReadOnlyOperation(name),
      idempotencyTokens: definition.idempotencyTokensOf?.(name) ?? [],
      resource: definition.resourceOf(name),
      handler,
    });
  }
  return {
    name: definition.name,
    targetPrefix: `${definition.name}.`,
    operations,
    validate: (operation, input) => validator.validate(operation, input),
  };
}
