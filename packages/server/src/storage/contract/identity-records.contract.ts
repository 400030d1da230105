/**
 * Identity records the storage contract suites store (roles, role sessions' keys, OIDC
 * providers), built only from the domain's types, in the shape the engines read them back: every
 * optional field of a nested record present (undefined when absent). Test support only.
 */
import type {
  AccessKeyRecord,
  OidcProviderRecord,
  PrincipalRecord,
  RoleSessionRecord,
} from "../../domain/ports/identity-store.js";
import { account } from "./records.contract.js";

export const userArn = (name: string) => `arn:aws:iam::${account}:user/${name}`;
export const roleArn = (name: string) => `arn:aws:iam::${account}:role/${name}`;
export const sessionArn = (role: string, session: string) =>
  `arn:aws:sts::${account}:assumed-role/${role}/${session}`;
export const providerArn = (host: string) => `arn:aws:iam::${account}:oidc-provider/${host}`;

export const trustPolicy = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Federated: providerArn("token.actions.githubusercontent.com") },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: { StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/*" } },
    },
  ],
});

export const user = (name: string, over: Partial<PrincipalRecord> = {}): PrincipalRecord => ({
  arn: userArn(name),
  name,
  kind: "user",
  tags: [],
  createdAt: 1_000,
  ...over,
});

export const role = (name: string, over: Partial<PrincipalRecord> = {}): PrincipalRecord => ({
  arn: roleArn(name),
  name,
  kind: "role",
  tags: [],
  createdAt: 1_000,
  role: { trustPolicy, maxSessionDurationSeconds: 3_600, description: undefined },
  ...over,
});

export const webIdentitySession = (
  roleName: string,
  sessionName: string,
  over: Partial<RoleSessionRecord> = {},
): RoleSessionRecord => ({
  roleArn: roleArn(roleName),
  sessionName,
  issuedAt: 1_700_000_000_000,
  tags: [],
  transitiveTagKeys: [],
  sourceIdentity: undefined,
  via: {
    kind: "web-identity",
    providerArn: providerArn("token.actions.githubusercontent.com"),
    issuer: "https://token.actions.githubusercontent.com",
    subject: "repo:acme/app:ref:refs/heads/main",
    audience: "sts.amazonaws.com",
  },
  ...over,
});

/** A session's access key (`ASIA…`), owned by the session's `assumed-role` ARN. */
export function sessionKey(
  id: string,
  session: RoleSessionRecord,
  over: Partial<AccessKeyRecord> = {},
): AccessKeyRecord {
  const roleName = session.roleArn.slice(session.roleArn.lastIndexOf("/") + 1);
  return {
    accessKeyId: id,
    principal: sessionArn(roleName, session.sessionName),
    sealedSecret: {
      kind: "string",
      kekId: "kek-1",
      wrappedKey: Buffer.from(`wk-${id}`),
      ciphertext: Buffer.from([0, 0xff, id.length]),
    },
    status: "active",
    createdAt: session.issuedAt,
    expiresAt: session.issuedAt + 3_600_000,
    lastUsedAt: undefined,
    lastUsedIp: undefined,
    sessionTokenHash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    session,
    ...over,
  };
}

/** A user's long-term key. */
export const userKey = (id: string, owner: string, over: Partial<AccessKeyRecord> = {}): AccessKeyRecord => ({
  accessKeyId: id,
  principal: userArn(owner),
  sealedSecret: {
    kind: "string",
    kekId: "kek-1",
    wrappedKey: Buffer.from("w"),
    ciphertext: Buffer.from("c"),
  },
  status: "active",
  createdAt: 10,
  expiresAt: undefined,
  lastUsedAt: undefined,
  lastUsedIp: undefined,
  sessionTokenHash: undefined,
  ...over,
});

export const provider = (host: string, over: Partial<OidcProviderRecord> = {}): OidcProviderRecord => ({
  arn: providerArn(host),
  issuer: `https://${host}`,
  audiences: ["sts.amazonaws.com"],
  keys: { source: "url", url: undefined },
  tags: [],
  createdAt: 2_000,
  ...over,
});

/** A JWKS document as an operator pastes it (one RSA key). */
export const jwksDocument = JSON.stringify({
  keys: [{ kty: "RSA", kid: "k1", use: "sig", alg: "RS256", n: "sXch", e: "AQAB" }],
});
