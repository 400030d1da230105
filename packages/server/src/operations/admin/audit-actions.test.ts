import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { COFFER_AUDIT_ACTIONS } from "../../domain/policy/index.js";
import { loadAdminModel } from "../../protocol/model.js";
import { createAdminApi } from "./admin-api.js";

describe("the audit actions of the admin API", () => {
  it("are operations of the admin model and the registry, each authorized on * as coffer:<Operation>", () => {
    const model = loadAdminModel();
    const api = createAdminApi("123456789012");
    for (const action of COFFER_AUDIT_ACTIONS) {
      const operation = action.slice("coffer:".length);
      assert.ok(model.operations[operation], `${operation} is not in the admin model`);
      const described = api.operations.get(operation);
      assert.ok(described, `${operation} is not registered`);
      assert.equal(described.action, action);
      assert.equal(described.resource({}), "*");
    }
  });
});
