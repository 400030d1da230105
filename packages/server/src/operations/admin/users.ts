import type { PrincipalRecord } from "../../domain/ports/identity-store.js";
import type { RequestedTag } from "../../domain/secrets/tags.js";
import type { Operation } from "../operation.js";
import { epochSeconds } from "../wire.js";
import { typedOperation } from "../wire-types.js";

export function userToWire(user: PrincipalRecord) {
  return { UserName: user.name, Arn: user.arn, CreateDate: epochSeconds(user.createdAt), Tags: user.tags };
}

export const createUser = typedOperation<{ UserName: string; Tags?: RequestedTag[] }>(
  async (input, _context, { identity }) => {
    return { User: userToWire(await identity.createUser(input.UserName, input.Tags ?? [])) };
  },
);

export const getUser = typedOperation<{ UserName: string }>(async (input, _context, { identity }) => ({
  User: userToWire(await identity.getUser(input.UserName)),
}));

export const listUsers: Operation = async (_raw, _context, { identity }) => ({
  Users: (await identity.listUsers()).map(userToWire),
});

export const deleteUser = typedOperation<{ UserName: string; Force?: boolean }>(
  async (input, { caller }, { identity }) => {
    await identity.deleteUser(input.UserName, { caller, force: input.Force === true });
    return {};
  },
);

export const tagUser = typedOperation<{ UserName: string; Tags: RequestedTag[] }>(
  async (input, _context, { identity }) => {
    await identity.tagUser(input.UserName, input.Tags);
    return {};
  },
);

export const untagUser = typedOperation<{ UserName: string; TagKeys: string[] }>(
  async (input, _context, { identity }) => {
    await identity.untagUser(input.UserName, input.TagKeys);
    return {};
  },
);
