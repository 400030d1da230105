import { roleArn } from "../../arns/principal-arns.js";
import type { Envelope } from "../../crypto/envelope.js";
import {
  InvalidParameterException,
  ResourceExistsException,
  ResourceNotFoundException,
} from "../../errors/catalog.js";
import {
  type IdentityStore,
  PrincipalExistsError,
  type PrincipalPolicyRecord,
  type PrincipalRecord,
  type RoleSettings,
} from "../ports/identity-store.js";
import { mergeTags, type RequestedTag, removeTags } from "../secrets/tags.js";
import type { AccessKeyKeeper } from "./access-key-material.js";
import { sealRoleSettings } from "./identity-binding.js";
import { assertPolicyName, assertRoleName } from "./names.js";

export interface RoleServiceDeps {
  store: IdentityStore;
  /** Seals each role's trust (ADR 0006's metadata MAC): a trust policy edited in the database lets nobody in. */
  envelope: Envelope;
  accessKeys: AccessKeyKeeper;
  accountId: string;
  now: () => number;
  /** Parses and checks a permission policy; throws MalformedPolicyDocumentException. */
  validatePolicy: (document: string) => void;
  /** Parses and checks a trust policy; throws MalformedPolicyDocumentException. */
  validateTrustPolicy: (document: string) => void;
  /** Told when a role's policies, tags or trust change, so cached authorization data is dropped. */
  principalChanged: (principalArn: string) => void;
}

/** IAM's bounds for MaxSessionDuration (seconds). */
export const maxSessionDurationBounds = { min: 3_600, max: 43_200, default: 3_600 } as const;

export interface CreateRoleRequest {
  name: string;
  trustPolicy: string;
  maxSessionDurationSeconds?: number | undefined;
  description?: string | undefined;
  tags?: readonly RequestedTag[] | undefined;
}

/**
 * Roles: identities nobody holds a key for. A workload becomes one for a while by presenting a
 * token its trust policy accepts (AssumeRoleWithWebIdentity) or by being a principal the trust
 * policy names (AssumeRole). Permission policies attach to a role as to a user.
 */
export class RoleService {
  constructor(private readonly deps: RoleServiceDeps) {}

  async createRole(request: CreateRoleRequest): Promise<PrincipalRecord> {
    assertRoleName(request.name);
    const arn = roleArn(this.deps.accountId, request.name);
    const settings = sealRoleSettings(this.deps.envelope, arn, this.settingsOf(request));
    const role: PrincipalRecord = {
      arn,
      name: request.name,
      kind: "role",
      tags: mergeTags([], request.tags ?? []),
      createdAt: this.deps.now(),
      role: settings,
    };
    try {
      await this.deps.store.createPrincipal(role);
    } catch (error) {
      if (error instanceof PrincipalExistsError)
        throw new ResourceExistsException(`Role ${request.name} already exists.`);
      throw error;
    }
    return role;
  }

  async getRole(name: string): Promise<PrincipalRecord & { role: RoleSettings }> {
    const role = await this.deps.store.getPrincipalByName(name, "role");
    if (!role?.role) throw new ResourceNotFoundException(`Role ${name} does not exist.`);
    return role as PrincipalRecord & { role: RoleSettings };
  }

  listRoles(): Promise<PrincipalRecord[]> {
    return this.deps.store.listPrincipals("role");
  }

  /** Deletes the role, its policies and every live session of it (their keys stop working at once). */
  async deleteRole(name: string): Promise<void> {
    const role = await this.getRole(name);
    const sessionKeys = (await this.deps.store.listAccessKeys()).filter(
      (key) => key.session?.roleArn === role.arn,
    );
    await this.deps.store.deletePrincipal(role.arn);
    for (const key of sessionKeys) this.deps.accessKeys.forget(key.accessKeyId);
    this.deps.principalChanged(role.arn);
  }

  /** UpdateAssumeRolePolicy. */
  async updateTrustPolicy(name: string, trustPolicy: string): Promise<void> {
    const role = await this.getRole(name);
    await this.saveSettings(role, { ...role.role, trustPolicy: this.checkedTrust(trustPolicy) });
  }

  /** UpdateRole: the description and the longest session. */
  async updateRole(
    name: string,
    changes: { maxSessionDurationSeconds?: number | undefined; description?: string | undefined },
  ): Promise<void> {
    const role = await this.getRole(name);
    const settings: RoleSettings = { ...role.role };
    if (changes.maxSessionDurationSeconds !== undefined) {
      settings.maxSessionDurationSeconds = checkedMaxSessionDuration(changes.maxSessionDurationSeconds);
    }
    if (changes.description !== undefined) settings.description = checkedDescription(changes.description);
    await this.saveSettings(role, settings);
  }

  async tagRole(name: string, tags: readonly RequestedTag[]): Promise<void> {
    const role = await this.getRole(name);
    await this.deps.store.updatePrincipalTags(role.arn, mergeTags(role.tags, tags));
    this.deps.principalChanged(role.arn);
  }

  async untagRole(name: string, keys: string[]): Promise<void> {
    const role = await this.getRole(name);
    await this.deps.store.updatePrincipalTags(role.arn, removeTags(role.tags, keys));
    this.deps.principalChanged(role.arn);
  }

  async putRolePolicy(roleName: string, policyName: string, document: string): Promise<void> {
    assertPolicyName(policyName);
    const role = await this.getRole(roleName);
    this.deps.validatePolicy(document);
    await this.deps.store.putPolicy({
      principalArn: role.arn,
      policyName,
      document,
      updatedAt: this.deps.now(),
    });
    this.deps.principalChanged(role.arn);
  }

  async getRolePolicy(roleName: string, policyName: string): Promise<PrincipalPolicyRecord> {
    const role = await this.getRole(roleName);
    const policy = (await this.deps.store.listPolicies(role.arn)).find((p) => p.policyName === policyName);
    if (!policy) throw new ResourceNotFoundException(`Role ${roleName} has no policy named ${policyName}.`);
    return policy;
  }

  async listRolePolicies(roleName: string): Promise<PrincipalPolicyRecord[]> {
    const role = await this.getRole(roleName);
    return this.deps.store.listPolicies(role.arn);
  }

  async deleteRolePolicy(roleName: string, policyName: string): Promise<void> {
    const role = await this.getRole(roleName);
    if (!(await this.deps.store.deletePolicy(role.arn, policyName))) {
      throw new ResourceNotFoundException(`Role ${roleName} has no policy named ${policyName}.`);
    }
    this.deps.principalChanged(role.arn);
  }

  private settingsOf(request: CreateRoleRequest): RoleSettings {
    const settings: RoleSettings = {
      trustPolicy: this.checkedTrust(request.trustPolicy),
      maxSessionDurationSeconds: checkedMaxSessionDuration(
        request.maxSessionDurationSeconds ?? maxSessionDurationBounds.default,
      ),
    };
    if (request.description !== undefined) settings.description = checkedDescription(request.description);
    return settings;
  }

  private checkedTrust(document: string): string {
    this.deps.validateTrustPolicy(document);
    return document;
  }

  private async saveSettings(role: PrincipalRecord, settings: RoleSettings): Promise<void> {
    const sealed = sealRoleSettings(this.deps.envelope, role.arn, settings);
    if (!(await this.deps.store.updateRoleSettings(role.arn, sealed))) {
      throw new ResourceNotFoundException(`Role ${role.name} does not exist.`);
    }
    this.deps.principalChanged(role.arn);
  }
}

function checkedMaxSessionDuration(seconds: number): number {
  const { min, max } = maxSessionDurationBounds;
  if (!Number.isInteger(seconds) || seconds < min || seconds > max) {
    throw new InvalidParameterException(
      `MaxSessionDuration must be between ${min} and ${max} seconds (1 to 12 hours), not ${seconds}.`,
    );
  }
  return seconds;
}

function checkedDescription(description: string): string {
  if (description.length > 1_000) {
    throw new InvalidParameterException("A role's description may have at most 1,000 characters.");
  }
  return description;
}
