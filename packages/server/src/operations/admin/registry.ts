import { userArn } from "../../domain/identity/names.js";
import type { Operation } from "../operation.js";
import {
  createAccessKey,
  createSessionCredentials,
  deleteAccessKey,
  getSessionToken,
  listAccessKeys,
  updateAccessKey,
} from "./access-keys.js";
import { lintPolicies, whoCanAccess } from "./access-review.js";
import { queryAuditEvents, tailAuditEvents, verifyAuditTrail } from "./audit-trail.js";
import { deleteUserPolicy, getUserPolicy, listUserPolicies, putUserPolicy } from "./policies.js";
import { createUser, deleteUser, getUser, listUsers, tagUser, untagUser } from "./users.js";

/** Coffer's admin API, by its `X-Amz-Target` name (`coffer.<Operation>`), authorized as `coffer:<Operation>`. */
export const adminOperations: Record<string, Operation> = {
  CreateUser: createUser,
  GetUser: getUser,
  ListUsers: listUsers,
  DeleteUser: deleteUser,
  TagUser: tagUser,
  UntagUser: untagUser,
  CreateAccessKey: createAccessKey,
  ListAccessKeys: listAccessKeys,
  UpdateAccessKey: updateAccessKey,
  DeleteAccessKey: deleteAccessKey,
  PutUserPolicy: putUserPolicy,
  GetUserPolicy: getUserPolicy,
  DeleteUserPolicy: deleteUserPolicy,
  ListUserPolicies: listUserPolicies,
  GetSessionToken: getSessionToken,
  CreateSessionCredentials: createSessionCredentials,
  WhoCanAccess: whoCanAccess,
  LintPolicies: lintPolicies,
  QueryAuditEvents: queryAuditEvents,
  TailAuditEvents: tailAuditEvents,
  VerifyAuditTrail: verifyAuditTrail,
};

/**
 * Admin operations act on the named user (`arn:aws:iam::<account>:user/<name>`), or on `*`.
 * GetSessionToken needs no permission, as in AWS STS: it only narrows the caller's own credential.
 */
export function adminResource(accountId: string, operation: string) {
  return (input: Record<string, unknown>): string | undefined => {
    if (operation === "GetSessionToken") return undefined;
    return typeof input.UserName === "string" ? userArn(accountId, input.UserName) : "*";
  };
}
