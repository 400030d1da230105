import { roleArn } from "../../arns/principal-arns.js";
import { userArn } from "../../domain/identity/names.js";
import { oidcProviderArn } from "../../domain/identity/oidc-names.js";
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
import { getActivity, getClientMetrics, listIdleSecrets, reportClientMetrics } from "./activity.js";
import { queryAuditEvents, tailAuditEvents, verifyAuditTrail } from "./audit-trail.js";
import {
  createOpenIdConnectProvider,
  deleteOpenIdConnectProvider,
  getOpenIdConnectProvider,
  listOpenIdConnectProviders,
  updateOpenIdConnectProvider,
} from "./oidc-providers.js";
import { deleteUserPolicy, getUserPolicy, listUserPolicies, putUserPolicy } from "./policies.js";
import { deleteRolePolicy, getRolePolicy, listRolePolicies, putRolePolicy } from "./role-policies.js";
import {
  createRole,
  deleteRole,
  getRole,
  listRoles,
  tagRole,
  untagRole,
  updateAssumeRolePolicy,
  updateRole,
} from "./roles.js";
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
  GetActivity: getActivity,
  ListIdleSecrets: listIdleSecrets,
  ReportClientMetrics: reportClientMetrics,
  GetClientMetrics: getClientMetrics,
  CreateRole: createRole,
  GetRole: getRole,
  ListRoles: listRoles,
  DeleteRole: deleteRole,
  UpdateRole: updateRole,
  UpdateAssumeRolePolicy: updateAssumeRolePolicy,
  TagRole: tagRole,
  UntagRole: untagRole,
  PutRolePolicy: putRolePolicy,
  GetRolePolicy: getRolePolicy,
  DeleteRolePolicy: deleteRolePolicy,
  ListRolePolicies: listRolePolicies,
  CreateOpenIDConnectProvider: createOpenIdConnectProvider,
  GetOpenIDConnectProvider: getOpenIdConnectProvider,
  ListOpenIDConnectProviders: listOpenIdConnectProviders,
  UpdateOpenIDConnectProvider: updateOpenIdConnectProvider,
  DeleteOpenIDConnectProvider: deleteOpenIdConnectProvider,
};

/**
 * Admin operations act on the named user (`arn:aws:iam::<account>:user/<name>`), role
 * (`arn:aws:iam::<account>:role/<name>`) or OIDC provider (its ARN; CreateOpenIDConnectProvider: the
 * ARN its Url gives), or on `*` (listing, the audit trail). GetSessionToken needs no permission, as
 * in AWS STS: it only narrows the caller's own credential.
 */
export function adminResource(accountId: string, operation: string) {
  return (input: Record<string, unknown>): string | undefined => {
    if (operation === "GetSessionToken") return undefined;
    if (typeof input.UserName === "string") return userArn(accountId, input.UserName);
    if (typeof input.RoleName === "string") return roleArn(accountId, input.RoleName);
    if (typeof input.OpenIDConnectProviderArn === "string") return input.OpenIDConnectProviderArn;
    if (operation === "CreateOpenIDConnectProvider" && typeof input.Url === "string") {
      return providerArnOf(accountId, input.Url);
    }
    return "*";
  };
}

/**
 * The ARN a provider for this Url would have. Authorization comes before the Url is checked: a Url
 * the service will refuse still names a resource (so a caller without permission is told so).
 */
function providerArnOf(accountId: string, url: string): string {
  try {
    return oidcProviderArn(accountId, url);
  } catch {
    return `arn:aws:iam::${accountId}:oidc-provider/${url.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, "")}`;
  }
}
