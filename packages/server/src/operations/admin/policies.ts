import type { Operation } from "../operation.js";
import { epochSeconds } from "../wire.js";

interface UserPolicyInput {
  UserName: string;
  PolicyName: string;
}

export const putUserPolicy: Operation = async (raw, { caller }, { identity }) => {
  const input = raw as unknown as UserPolicyInput & { PolicyDocument: string; Force?: boolean };
  await identity.putUserPolicy(input.UserName, input.PolicyName, input.PolicyDocument, {
    caller,
    force: input.Force === true,
  });
  return {};
};

export const getUserPolicy: Operation = async (raw, _context, { identity }) => {
  const input = raw as unknown as UserPolicyInput;
  const policy = await identity.getUserPolicy(input.UserName, input.PolicyName);
  return {
    UserName: input.UserName,
    PolicyName: policy.policyName,
    PolicyDocument: policy.document,
    UpdateDate: epochSeconds(policy.updatedAt),
  };
};

export const deleteUserPolicy: Operation = async (raw, { caller }, { identity }) => {
  const input = raw as unknown as UserPolicyInput & { Force?: boolean };
  await identity.deleteUserPolicy(input.UserName, input.PolicyName, { caller, force: input.Force === true });
  return {};
};

export const listUserPolicies: Operation = async (raw, _context, { identity }) => {
  const input = raw as { UserName: string };
  return { PolicyNames: (await identity.listUserPolicies(input.UserName)).map((p) => p.policyName) };
};
