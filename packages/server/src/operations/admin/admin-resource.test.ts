import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { COFFER_WORKLOAD_IDENTITY_ACTIONS } from "../../domain/policy/index.js";
import { loadAdminModel } from "../../protocol/model.js";
import { createAdminApi } from "./admin-api.js";

const account = "123456789012";
const api = createAdminApi(account);
const resourceOf = (operation: string, input: Record<string, unknown>) =>
  api.operations.get(operation)?.resource(input);

describe("the workload identity operations of the admin API", () => {
  it("are in the model and the registry, each authorized as coffer:<Operation>", () => {
    const model = loadAdminModel();
    for (const action of COFFER_WORKLOAD_IDENTITY_ACTIONS) {
      const operation = action.slice("coffer:".length);
      assert.ok(model.operations[operation], `${operation} is not in the admin model`);
      assert.equal(api.operations.get(operation)?.action, action);
    }
  });

  it("authorize role operations on the role's ARN and listing on *", () => {
    for (const operation of [
      "CreateRole",
      "GetRole",
      "DeleteRole",
      "UpdateAssumeRolePolicy",
      "PutRolePolicy",
    ]) {
      assert.equal(resourceOf(operation, { RoleName: "app" }), `arn:aws:iam::${account}:role/app`, operation);
    }
    assert.equal(resourceOf("ListRoles", {}), "*");
  });

  it("authorize provider operations on the provider's ARN, CreateOpenIDConnectProvider on the one its Url makes", () => {
    const arn = `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`;
    assert.equal(resourceOf("GetOpenIDConnectProvider", { OpenIDConnectProviderArn: arn }), arn);
    assert.equal(resourceOf("DeleteOpenIDConnectProvider", { OpenIDConnectProviderArn: arn }), arn);
    assert.equal(
      resourceOf("CreateOpenIDConnectProvider", { Url: "https://token.actions.githubusercontent.com" }),
      arn,
    );
    assert.equal(resourceOf("ListOpenIDConnectProviders", {}), "*");
    // Authorization comes before the Url is checked: a Url the service refuses still names a resource.
    for (const url of ["ftp://files.example", "x", "http://plain.example"]) {
      const resource = resourceOf("CreateOpenIDConnectProvider", { Url: url });
      assert.ok(resource?.startsWith(`arn:aws:iam::${account}:oidc-provider/`), resource);
    }
  });

  it("are audited ahead unless they only read", () => {
    const reads = ["GetRole", "ListRoles", "GetRolePolicy", "ListRolePolicies"];
    const readsProviders = ["GetOpenIDConnectProvider", "ListOpenIDConnectProviders"];
    for (const action of COFFER_WORKLOAD_IDENTITY_ACTIONS) {
      const operation = action.slice("coffer:".length);
      const readOnly = [...reads, ...readsProviders].includes(operation);
      assert.equal(api.operations.get(operation)?.readOnly, readOnly, operation);
    }
  });
});
