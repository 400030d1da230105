import type { RequestedTag } from "../../domain/secrets/tags.js";
import type { PrincipalRecord } from "../../storage/identity-port.js";
import type { Operation } from "../operation.js";
import { epochSeconds } from "../wire.js";

export function userToWire(user: PrincipalRecord) {
  return { UserName: user.name, Arn: user.arn, CreateDate: epochSeconds(user.createdAt), Tags: user.tags };
}

export const createUser: Operation = async (raw, _context, { identity }) => {
  const input = raw as unknown as { UserName: string; Tags?: RequestedTag[] };
  return { User: userToWire(await identity.createUser(input.UserName, input.Tags ?? [])) };
};

export const getUser: Operation = async (raw, _context, { identity }) => ({
  User: userToWire(await identity.getUser((raw as unknown as { UserName: string }).UserName)),
});

export const listUsers: Operation = async (_raw, _context, { identity }) => ({
  Users: (await identity.listUsers()).map(userToWire),
});

export const deleteUser: Operation = async (raw, { caller }, { identity }) => {
  const input = raw as unknown as { UserName: string; Force?: boolean };
  await identity.deleteUser(input.UserName, { caller, force: input.Force === true });
  return {};
};

export const tagUser: Operation = async (raw, _context, { identity }) => {
  const input = raw as unknown as { UserName: string; Tags: RequestedTag[] };
  await identity.tagUser(input.UserName, input.Tags);
  return {};
};

export const untagUser: Operation = async (raw, _context, { identity }) => {
  const input = raw as unknown as { UserName: string; TagKeys: string[] };
  await identity.untagUser(input.UserName, input.TagKeys);
  return {};
};
