import { isReadOnlyOperation } from "../audit/event.js";
import { isUnsignedOperation, type ServiceModel } from "../protocol/model.js";
import { createFormDecoder } from "../protocol/query/form-input.js";
import { createXmlOutputSerializer } from "../protocol/query/xml-output.js";
import { createInputValidator } from "../protocol/validate.js";
import type { ApiDescriptor, Operation, OperationDescriptor } from "./operation.js";

/** What differs between the APIs served at `POST /`; the rest of a descriptor follows from it. */
export interface ApiDefinition {
  /** `secretsmanager`, `coffer` or `sts`: the target and IAM action prefix. */
  name: string;
  model: ServiceModel;
  handlers: Readonly<Record<string, Operation>>;
  /** The fixed resource an operation is authorized on by the pipeline (see OperationDescriptor.resource). */
  resourceOf(operation: string): OperationDescriptor["resource"];
  idempotencyTokensOf?(operation: string): readonly string[];
}

/**
 * Describes every operation of an API: action `<name>:<Op>`, read-only by its name, signed unless
 * the model says otherwise, its validator; and the API's protocol, as its model names it
 * (`json`: AWS JSON 1.1, `query`: the AWS Query protocol).
 */
export function describeApi(definition: ApiDefinition): ApiDescriptor {
  const { model } = definition;
  const validator = createInputValidator(model);
  const operations = new Map<string, OperationDescriptor>();
  for (const [name, handler] of Object.entries(definition.handlers)) {
    const modelled = model.operations[name];
    if (modelled === undefined)
      throw new Error(`${definition.name} has a handler for ${name}, which its model lacks`);
    operations.set(name, {
      name,
      action: `${definition.name}:${name}`,
      readOnly: isReadOnlyOperation(name),
      signed: !isUnsignedOperation(modelled),
      idempotencyTokens: definition.idempotencyTokensOf?.(name) ?? [],
      resource: definition.resourceOf(name),
      handler,
    });
  }
  const common = {
    name: definition.name,
    signingName: model.metadata.signingName ?? model.metadata.endpointPrefix,
    operations,
    validate: (operation: string, input: unknown) => validator.validate(operation, input),
  };
  switch (model.metadata.protocol) {
    case "json":
      return { ...common, protocol: "awsJson1_1", targetPrefix: `${definition.name}.` };
    case "query": {
      const decode = createFormDecoder(model);
      const serialize = createXmlOutputSerializer(model);
      return {
        ...common,
        protocol: "awsQuery",
        version: model.metadata.apiVersion,
        modelOperations: new Set(Object.keys(model.operations)),
        decode,
        serialize,
        xmlNamespace: model.metadata.xmlNamespace ?? "",
      };
    }
    default:
      throw new Error(
        `${definition.name}'s model speaks ${model.metadata.protocol}, which Coffer does not serve`,
      );
  }
}
