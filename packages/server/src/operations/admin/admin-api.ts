import { isReadOnlyOperation } from "../../audit/event.js";
import { loadAdminModel } from "../../protocol/model.js";
import { createInputValidator } from "../../protocol/validate.js";
import type { ApiDescriptor, OperationDescriptor } from "../operation.js";
import { adminOperations, adminResource } from "./registry.js";

/** Coffer's admin API (`coffer.<Operation>`, authorized as `coffer:<Operation>`), described. */
export function createAdminApi(accountId: string): ApiDescriptor {
  const validator = createInputValidator(loadAdminModel());
  const described = new Map<string, OperationDescriptor>();
  for (const [name, handler] of Object.entries(adminOperations)) {
    described.set(name, {
      name,
      action: `coffer:${name}`,
      readOnly: isReadOnlyOperation(name),
      idempotencyTokens: [],
      resource: adminResource(accountId, name),
      handler,
    });
  }
  return {
    name: "coffer",
    targetPrefix: "coffer.",
    operations: described,
    validate: (operation, input) => validator.validate(operation, input),
  };
}
