import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { COFFER_AUDIT_ACTIONS } from "../../domain/policy/index.js";
import { loadAdminModel } from "../../protocol/model.js";
import { adminOperations, adminResource } from "./registry.js";

describe("the audit actions of the admin API", () => {
  it("are operations of the admin model and the registry, each authorized on * as coffer:<Operation>", () => {
    const model = loadAdminModel();
    for (const action of COFFER_AUDIT_ACTIONS) {
      const operation = action.slice("coffer:".length);
      assert.ok(model.operations[operation], `${operation} is not in the admin model`);
      assert.ok(adminOperations[operation], `${operation} is not registered`);
      assert.equal(adminResource("123456789012")(operation, {}), "*");
    }
  });
});
