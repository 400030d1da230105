import { randomBytes } from "node:crypto";
import {
  InvalidParameterException,
  ResourceExistsException,
  ResourceNotFoundException,
} from "../../errors/catalog.js";
import {
  type AccessKeyRecord,
  type IdentityStore,
  PrincipalExistsError,
  type PrincipalPolicyRecord,
  type PrincipalRecord,
} from "../ports/identity-store.js";
import { mergeTags, type RequestedTag, removeTags } from "../secrets/tags.js";
import {
  type AccessKey,
  type AccessKeyKeeper,
  generateAccessKey,
  hashSessionToken,
} from "./access-key-material.js";
import {
  type AdminCaller,
  assertNoLockout,
  type LockoutGuardDeps,
  type PolicyDocument,
} from "./lockout-guard.js";
import { assertPolicyName, assertUserName, userArn } from "./names.js";

export interface IdentityDeps {
  store: IdentityStore;
  accessKeys: AccessKeyKeeper;
  accountId: string;
  now: () => number;
  /** Parses and checks a policy document; throws MalformedPolicyDocumentException. */
  validatePolicy: (document: string) => void;
  /** Told when a principal's policies or tags change, so cached authorization data is dropped. */
  principalChanged: (principalArn: string) => void;
  /** Whether the policy evaluator lets a principal administer Coffer (see `lockout-guard.ts`). */
  canAdminister: LockoutGuardDeps["canAdminister"];
}

/** How a change that could lock the administrators out is made. */
export interface GuardedChange {
  /** Who asks; their own key or user is protected too. */
  caller?: AdminCaller | undefined;
  /** Make the change even if it leaves no key able to administer Coffer. */
  force?: boolean | undefined;
}

export const adminUserName = "admin";
export const administratorPolicyName = "AdministratorAccess";
export const administratorPolicy = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Sid: "BootstrapAdministrator", Effect: "Allow", Action: "*", Resource: "*" }],
});

const sessionDuration = { min: 900, max: 43_200, default: 3_600 };

export interface SessionCredentials extends AccessKey {
  sessionToken: string;
  expiresAt: number;
}

/** Users, their access keys, identity policies and short-lived session credentials. */
export class IdentityService {
  constructor(private readonly deps: IdentityDeps) {}

  /** The bootstrap administrator: a user with full access, the owner of the first access key. */
  async ensureAdmin(): Promise<PrincipalRecord> {
    const existing = await this.deps.store.getPrincipalByName(adminUserName);
    if (existing) return existing;
    let admin: PrincipalRecord;
    try {
      admin = await this.createUser(adminUserName, []);
    } catch (error) {
      // Another node sharing the store, starting at the same moment, made it first.
      const made =
        error instanceof ResourceExistsException && (await this.deps.store.getPrincipalByName(adminUserName));
      if (made) return made;
      throw error;
    }
    await this.putUserPolicy(adminUserName, administratorPolicyName, administratorPolicy, { force: true });
    return admin;
  }

  /**
   * `coffer admin recover`: the bootstrap administrator back (re-created with its
   * AdministratorAccess policy if either was deleted or changed) with a new access key.
   */
  async restoreAdministrator(): Promise<{
    user: PrincipalRecord;
    key: AccessKey;
    recreatedUser: boolean;
    restoredPolicy: boolean;
  }> {
    const existing = await this.deps.store.getPrincipalByName(adminUserName);
    const user = existing ?? (await this.createUser(adminUserName, []));
    const policy = (await this.deps.store.listPolicies(user.arn)).find(
      (p) => p.policyName === administratorPolicyName,
    );
    const restoredPolicy = policy?.document !== administratorPolicy;
    if (restoredPolicy) {
      await this.putUserPolicy(adminUserName, administratorPolicyName, administratorPolicy, { force: true });
    }
    const key = generateAccessKey(user.arn);
    await this.deps.accessKeys.save(key);
    return { user, key, recreatedUser: existing === undefined, restoredPolicy };
  }

  async createUser(name: string, tags: readonly RequestedTag[]): Promise<PrincipalRecord> {
    assertUserName(name);
    const principal: PrincipalRecord = {
      arn: userArn(this.deps.accountId, name),
      name,
      kind: "user",
      tags: mergeTags([], tags),
      createdAt: this.deps.now(),
    };
    try {
      await this.deps.store.createPrincipal(principal);
    } catch (error) {
      if (error instanceof PrincipalExistsError)
        throw new ResourceExistsException(`User ${name} already exists.`);
      throw error;
    }
    return principal;
  }

  async getUser(name: string): Promise<PrincipalRecord> {
    const principal = await this.deps.store.getPrincipalByName(name);
    if (!principal) throw new ResourceNotFoundException(`User ${name} does not exist.`);
    return principal;
  }

  listUsers(): Promise<PrincipalRecord[]> {
    // Users only: roles are principals too, listed by their own operations.
    return this.deps.store.listPrincipals("user");
  }

  async deleteUser(name: string, options: GuardedChange = {}): Promise<void> {
    const principal = await this.getUser(name);
    if (!options.force) {
      await assertNoLockout(this.deps, {
        effect: { principalArn: principal.arn },
        what: `delete user ${name}`,
        command: "coffer admin user delete",
        caller: options.caller,
      });
    }
    const keys = await this.deps.store.listAccessKeys(principal.arn);
    await this.deps.store.deletePrincipal(principal.arn);
    for (const key of keys) this.deps.accessKeys.forget(key.accessKeyId);
    this.deps.principalChanged(principal.arn);
  }

  async tagUser(name: string, tags: readonly RequestedTag[]): Promise<void> {
    const principal = await this.getUser(name);
    await this.deps.store.updatePrincipalTags(principal.arn, mergeTags(principal.tags, tags));
    this.deps.principalChanged(principal.arn);
  }

  async untagUser(name: string, keys: string[]): Promise<void> {
    const principal = await this.getUser(name);
    await this.deps.store.updatePrincipalTags(principal.arn, removeTags(principal.tags, keys));
    this.deps.principalChanged(principal.arn);
  }

  async createAccessKey(
    userName: string,
    options: { expiresInSeconds?: number | undefined } = {},
  ): Promise<AccessKey & { expiresAt: number | undefined; createdAt: number }> {
    const principal = await this.getUser(userName);
    if (options.expiresInSeconds !== undefined && options.expiresInSeconds < 1) {
      throw new InvalidParameterException("ExpiresInSeconds must be at least 1.");
    }
    const key = generateAccessKey(principal.arn);
    const expiresAt =
      options.expiresInSeconds === undefined ? undefined : this.deps.now() + options.expiresInSeconds * 1000;
    await this.deps.accessKeys.save(key, { expiresAt });
    return { ...key, expiresAt, createdAt: this.deps.now() };
  }

  async listAccessKeys(userName: string): Promise<AccessKeyRecord[]> {
    const principal = await this.getUser(userName);
    return this.deps.store.listAccessKeys(principal.arn);
  }

  async setAccessKeyStatus(
    accessKeyId: string,
    status: AccessKeyRecord["status"],
    options: GuardedChange = {},
  ): Promise<void> {
    if (status === "inactive" && !options.force) {
      await assertNoLockout(this.deps, {
        effect: { accessKeyId },
        what: `disable access key ${accessKeyId}`,
        command: "coffer admin key disable",
        caller: options.caller,
      });
    }
    if (!(await this.deps.store.setAccessKeyStatus(accessKeyId, status))) {
      throw new ResourceNotFoundException(`Access key ${accessKeyId} does not exist.`);
    }
    this.deps.accessKeys.forget(accessKeyId);
  }

  async deleteAccessKey(accessKeyId: string, options: GuardedChange = {}): Promise<void> {
    if (!options.force) {
      await assertNoLockout(this.deps, {
        effect: { accessKeyId },
        what: `delete access key ${accessKeyId}`,
        command: "coffer admin key delete",
        caller: options.caller,
      });
    }
    if (!(await this.deps.store.deleteAccessKey(accessKeyId))) {
      throw new ResourceNotFoundException(`Access key ${accessKeyId} does not exist.`);
    }
    this.deps.accessKeys.forget(accessKeyId);
  }

  async putUserPolicy(
    userName: string,
    policyName: string,
    document: string,
    options: GuardedChange = {},
  ): Promise<void> {
    assertPolicyName(policyName);
    const principal = await this.getUser(userName);
    this.deps.validatePolicy(document);
    if (!options.force) {
      const others = (await this.deps.store.listPolicies(principal.arn)).filter(
        (p) => p.policyName !== policyName,
      );
      await this.assertPoliciesKeepAdministrators(principal.arn, [...others, { policyName, document }], {
        what: `put policy ${policyName} on user ${userName}`,
        command: "coffer admin policy put",
        caller: options.caller,
      });
    }
    await this.deps.store.putPolicy({
      principalArn: principal.arn,
      policyName,
      document,
      updatedAt: this.deps.now(),
    });
    this.deps.principalChanged(principal.arn);
  }

  async getUserPolicy(userName: string, policyName: string): Promise<PrincipalPolicyRecord> {
    const principal = await this.getUser(userName);
    const policy = (await this.deps.store.listPolicies(principal.arn)).find(
      (p) => p.policyName === policyName,
    );
    if (!policy) throw new ResourceNotFoundException(`User ${userName} has no policy named ${policyName}.`);
    return policy;
  }

  async deleteUserPolicy(userName: string, policyName: string, options: GuardedChange = {}): Promise<void> {
    const principal = await this.getUser(userName);
    if (!options.force) {
      const remaining = (await this.deps.store.listPolicies(principal.arn)).filter(
        (p) => p.policyName !== policyName,
      );
      await this.assertPoliciesKeepAdministrators(principal.arn, remaining, {
        what: `delete policy ${policyName} of user ${userName}`,
        command: "coffer admin policy delete",
        caller: options.caller,
      });
    }
    if (!(await this.deps.store.deletePolicy(principal.arn, policyName))) {
      throw new ResourceNotFoundException(`User ${userName} has no policy named ${policyName}.`);
    }
    this.deps.principalChanged(principal.arn);
  }

  private assertPoliciesKeepAdministrators(
    principalArn: string,
    policiesAfter: readonly PolicyDocument[],
    change: { what: string; command: string; caller: AdminCaller | undefined },
  ): Promise<void> {
    return assertNoLockout(this.deps, { effect: { principalArn, policiesAfter }, ...change });
  }

  async listUserPolicies(userName: string): Promise<PrincipalPolicyRecord[]> {
    const principal = await this.getUser(userName);
    return this.deps.store.listPolicies(principal.arn);
  }

  /**
   * Temporary credentials (ASIA… key, secret and session token) for a principal, valid for a bounded
   * time: what a platform gets instead of a long-term key, so a leaked credential dies on its own.
   */
  async createSessionCredentials(
    principalArn: string,
    durationSeconds?: number,
  ): Promise<SessionCredentials> {
    const seconds = durationSeconds ?? sessionDuration.default;
    if (!Number.isInteger(seconds) || seconds < sessionDuration.min || seconds > sessionDuration.max) {
      throw new InvalidParameterException(
        `DurationSeconds must be between ${sessionDuration.min} and ${sessionDuration.max} seconds.`,
      );
    }
    if (!(await this.deps.store.getPrincipal(principalArn))) {
      throw new ResourceNotFoundException(`Principal ${principalArn} does not exist.`);
    }
    const key = generateAccessKey(principalArn, "ASIA");
    const sessionToken = randomBytes(48).toString("base64");
    const expiresAt = this.deps.now() + seconds * 1000;
    await this.deps.accessKeys.save(key, { expiresAt, sessionTokenHash: hashSessionToken(sessionToken) });
    return { ...key, sessionToken, expiresAt };
  }

  /** Removes session credentials and keys past their expiry; returns how many. */
  purgeExpiredKeys(): Promise<number> {
    return this.deps.store.deleteExpiredAccessKeys(this.deps.now());
  }
}
