import type { SealedSecretValue, Tag } from "../secrets/records.js";

/** A user or service identity that access keys and identity policies belong to. */
export interface PrincipalRecord {
  arn: string;
  name: string;
  kind: "user";
  tags: Tag[];
  createdAt: number;
}

export interface PrincipalPolicyRecord {
  principalArn: string;
  policyName: string;
  document: string;
  updatedAt: number;
}

/** A stored access key; the secret half is sealed under the master key, never stored in plaintext. */
export interface AccessKeyRecord {
  accessKeyId: string;
  principal: string;
  sealedSecret: SealedSecretValue;
  status: "active" | "inactive";
  createdAt: number;
  expiresAt?: number | undefined;
  lastUsedAt?: number | undefined;
  lastUsedIp?: string | undefined;
  /** Session credentials only: SHA-256 of the session token, never the token itself. */
  sessionTokenHash?: string | undefined;
}

/** Principals, their identity policies and access keys. */
export interface IdentityStore {
  createPrincipal(principal: PrincipalRecord): Promise<void>;
  getPrincipal(arn: string): Promise<PrincipalRecord | undefined>;
  getPrincipalByName(name: string): Promise<PrincipalRecord | undefined>;
  listPrincipals(): Promise<PrincipalRecord[]>;
  updatePrincipalTags(arn: string, tags: Tag[]): Promise<void>;
  /** Deletes the principal with its policies and access keys. */
  deletePrincipal(arn: string): Promise<boolean>;

  putPolicy(policy: PrincipalPolicyRecord): Promise<void>;
  deletePolicy(principalArn: string, policyName: string): Promise<boolean>;
  listPolicies(principalArn: string): Promise<PrincipalPolicyRecord[]>;

  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  putAccessKey(record: AccessKeyRecord): Promise<void>;
  listAccessKeys(principalArn?: string): Promise<AccessKeyRecord[]>;
  countAccessKeys(): Promise<number>;
  setAccessKeyStatus(accessKeyId: string, status: AccessKeyRecord["status"]): Promise<boolean>;
  deleteAccessKey(accessKeyId: string): Promise<boolean>;
  recordAccessKeyUse(accessKeyId: string, at: number, sourceIp: string): Promise<void>;
  deleteExpiredAccessKeys(now: number): Promise<number>;
}

/** The name is taken by another principal. */
export class PrincipalExistsError extends Error {
  constructor(name: string) {
    super(`a principal named ${name} already exists`);
    this.name = "PrincipalExistsError";
  }
}
