import { epochSeconds } from "../wire.js";
import { typedOperation } from "../wire-types.js";

interface UserPolicyInput {
  UserName: string;
  PolicyName: string;
}

export const putUserPolicy = typedOperation<UserPolicyInput & { PolicyDocument: string; Force?: boolean }>(
  async (input, { caller }, { identity }) => {
    await identity.putUserPolicy(input.UserName, input.PolicyName, input.PolicyDocument, {
      caller,
      force: input.Force === true,
    });
    return {};
  },
);

export const getUserPolicy = typedOperation<UserPolicyInput>(async (input, _context, { identity }) => {
  const policy = await identity.getUserPolicy(input.UserName, input.PolicyName);
  return {
    UserName: input.UserName,
    PolicyName: policy.policyName,
    PolicyDocument: policy.document,
    UpdateDate: epochSeconds(policy.updatedAt),
  };
});

export const deleteUserPolicy = typedOperation<UserPolicyInput & { Force?: boolean }>(
  async (input, { caller }, { identity }) => {
    await identity.deleteUserPolicy(input.UserName, input.PolicyName, {
      caller,
      force: input.Force === true,
    });
    return {};
  },
);

export const listUserPolicies = typedOperation<{ UserName: string }>(
  async (input, _context, { identity }) => {
    return { PolicyNames: (await identity.listUserPolicies(input.UserName)).map((p) => p.policyName) };
  },
);
