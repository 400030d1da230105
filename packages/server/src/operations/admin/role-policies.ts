import { epochSeconds } from "../wire.js";
import { typedOperation } from "../wire-types.js";
import { rolesOf } from "./roles.js";

interface RolePolicyInput {
  RoleName: string;
  PolicyName: string;
}

/** Permission policies attached to a role: what its sessions may do (IAM's inline role policies). */
export const putRolePolicy = typedOperation<RolePolicyInput & { PolicyDocument: string }>(
  async (input, _context, services) => {
    await rolesOf(services).putRolePolicy(input.RoleName, input.PolicyName, input.PolicyDocument);
    return {};
  },
);

export const getRolePolicy = typedOperation<RolePolicyInput>(async (input, _context, services) => {
  const policy = await rolesOf(services).getRolePolicy(input.RoleName, input.PolicyName);
  return {
    RoleName: input.RoleName,
    PolicyName: policy.policyName,
    PolicyDocument: policy.document,
    UpdateDate: epochSeconds(policy.updatedAt),
  };
});

export const deleteRolePolicy = typedOperation<RolePolicyInput>(async (input, _context, services) => {
  await rolesOf(services).deleteRolePolicy(input.RoleName, input.PolicyName);
  return {};
});

export const listRolePolicies = typedOperation<{ RoleName: string }>(async (input, _context, services) => ({
  PolicyNames: (await rolesOf(services).listRolePolicies(input.RoleName)).map((p) => p.policyName),
}));
