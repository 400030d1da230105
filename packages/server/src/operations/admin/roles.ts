import { uniqueIdOf } from "../../arns/unique-ids.js";
import type { RoleService } from "../../domain/identity/role-service.js";
import type { PrincipalRecord } from "../../domain/ports/identity-store.js";
import type { RequestedTag } from "../../domain/secrets/tags.js";
import { NotImplementedYetException } from "../../errors/catalog.js";
import type { Operation, OperationServices } from "../operation.js";
import { epochSeconds } from "../wire.js";
import { typedOperation } from "../wire-types.js";

/** The role service, or the answer a server without workload identity gives. */
export function rolesOf(services: OperationServices): RoleService {
  if (!services.roles) {
    throw new NotImplementedYetException(
      "Roles are not available on this Coffer server; no change was made.",
    );
  }
  return services.roles;
}

/** IAM's Role: what GetRole, ListRoles and CreateRole answer. */
export function roleToWire(role: PrincipalRecord) {
  return {
    RoleName: role.name,
    Arn: role.arn,
    RoleId: uniqueIdOf("role", role.arn),
    CreateDate: epochSeconds(role.createdAt),
    AssumeRolePolicyDocument: role.role?.trustPolicy,
    MaxSessionDuration: role.role?.maxSessionDurationSeconds,
    ...(role.role?.description !== undefined ? { Description: role.role.description } : {}),
    Tags: role.tags,
  };
}

export const createRole = typedOperation<{
  RoleName: string;
  AssumeRolePolicyDocument: string;
  MaxSessionDuration?: number;
  Description?: string;
  Tags?: RequestedTag[];
}>(async (input, _context, services) => {
  const role = await rolesOf(services).createRole({
    name: input.RoleName,
    trustPolicy: input.AssumeRolePolicyDocument,
    maxSessionDurationSeconds: input.MaxSessionDuration,
    description: input.Description,
    tags: input.Tags,
  });
  return { Role: roleToWire(role) };
});

export const getRole = typedOperation<{ RoleName: string }>(async (input, _context, services) => ({
  Role: roleToWire(await rolesOf(services).getRole(input.RoleName)),
}));

export const listRoles: Operation = async (_raw, _context, services) => ({
  Roles: (await rolesOf(services).listRoles()).map(roleToWire),
});

export const deleteRole = typedOperation<{ RoleName: string }>(async (input, _context, services) => {
  await rolesOf(services).deleteRole(input.RoleName);
  return {};
});

export const updateRole = typedOperation<{
  RoleName: string;
  MaxSessionDuration?: number;
  Description?: string;
}>(async (input, _context, services) => {
  await rolesOf(services).updateRole(input.RoleName, {
    maxSessionDurationSeconds: input.MaxSessionDuration,
    description: input.Description,
  });
  return {};
});

export const updateAssumeRolePolicy = typedOperation<{ RoleName: string; PolicyDocument: string }>(
  async (input, _context, services) => {
    await rolesOf(services).updateTrustPolicy(input.RoleName, input.PolicyDocument);
    return {};
  },
);

export const tagRole = typedOperation<{ RoleName: string; Tags: RequestedTag[] }>(
  async (input, _context, services) => {
    await rolesOf(services).tagRole(input.RoleName, input.Tags);
    return {};
  },
);

export const untagRole = typedOperation<{ RoleName: string; TagKeys: string[] }>(
  async (input, _context, services) => {
    await rolesOf(services).untagRole(input.RoleName, input.TagKeys);
    return {};
  },
);
