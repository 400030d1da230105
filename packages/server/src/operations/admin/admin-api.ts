import { loadAdminModel } from "../../protocol/model.js";
import { describeApi } from "../describe-api.js";
import type { ApiDescriptor } from "../operation.js";
import { adminOperations, adminResource } from "./registry.js";

/** Coffer's admin API (`coffer.<Operation>`, authorized as `coffer:<Operation>`), described. */
export function createAdminApi(accountId: string): ApiDescriptor {
  return describeApi({
    name: "coffer",
    model: loadAdminModel(),
    handlers: adminOperations,
    resourceOf: (operation) => adminResource(accountId, operation),
  });
}
