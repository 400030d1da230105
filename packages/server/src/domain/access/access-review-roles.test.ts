import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AuditPage, AuditQuery } from "../../audit/audit-query.js";
import type { AuditEvent } from "../../audit/event.js";
import { SqliteStore } from "../../storage/sqlite/sqlite-store.js";
import type { SecretRecord } from "../secrets/records.js";
import { AccessReview, TRUST_POLICY_NAME } from "./access-review.js";
import { Authorizer } from "./authorizer.js";

const ACCOUNT = "123456789012";
const GITHUB = "token.actions.githubusercontent.com";
const githubArn = `arn:aws:iam::${ACCOUNT}:oidc-provider/${GITHUB}`;
const now = () => Date.UTC(2026, 11, 1);
const secretArn = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:app/db-AbCdEf`;
const roleArnOf = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

const trustOf = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const webIdentity = (condition?: object) => ({
  Sid: "GitHub",
  Effect: "Allow",
  Principal: { Federated: githubArn },
  Action: "sts:AssumeRoleWithWebIdentity",
  ...(condition ? { Condition: condition } : {}),
});
const readDb = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Sid: "ReadDb", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArn },
  ],
});

/** A successful call as the trail records it; only what the review reads. */
function call(principal: string, eventName: string, resource?: string) {
  return {
    seq: 1,
    prevHash: "",
    hash: "",
    event: {
      userIdentity: { type: "AssumedRole", arn: principal, accountId: ACCOUNT, accessKeyId: "ASIAEXAMPLE" },
      eventName,
      ...(resource
        ? { resources: [{ ARN: resource, accountId: ACCOUNT, type: "AWS::SecretsManager::Secret" }] }
        : {}),
    } as unknown as AuditEvent,
  };
}

describe("access review with roles", () => {
  const store = new SqliteStore(":memory:");
  const authorizer = new Authorizer({ identity: store.identity, accountId: ACCOUNT, now });
  const trail = [call(`arn:aws:sts::${ACCOUNT}:assumed-role/deployer/run-42`, "GetSecretValue", secretArn)];
  const review = new AccessReview({
    identity: store.identity,
    authorizer,
    queryAudit: async (query: AuditQuery): Promise<AuditPage> => ({
      events: trail.filter(
        (e) => query.principal === undefined || e.event.userIdentity.arn === query.principal,
      ),
      nextAfter: undefined,
    }),
    now,
  });
  const secret = { arn: secretArn, name: "app/db", tags: [] } as unknown as SecretRecord;

  async function createRole(name: string, trustPolicy: string, policies: Record<string, string> = {}) {
    await store.identity.createPrincipal({
      arn: roleArnOf(name),
      name,
      kind: "role",
      tags: [],
      createdAt: now(),
      role: { trustPolicy, maxSessionDurationSeconds: 3600 },
    });
    for (const [policyName, document] of Object.entries(policies)) {
      await store.identity.putPolicy({
        principalArn: roleArnOf(name),
        policyName,
        document,
        updatedAt: now(),
      });
    }
  }

  before(async () => {
    await store.identity.createOidcProvider({
      arn: githubArn,
      issuer: `https://${GITHUB}`,
      audiences: ["sts.amazonaws.com"],
      keys: { source: "url", url: undefined },
      tags: [],
      createdAt: now(),
    });
    // Pinned to one repository, and its sessions read the secret (the trail above).
    await createRole(
      "deployer",
      trustOf(webIdentity({ StringEquals: { [`${GITHUB}:sub`]: "repo:me/app:ref:refs/heads/main" } })),
      { read: readDb },
    );
    // Any repository on GitHub, and a grant nobody used.
    await createRole("open", trustOf(webIdentity({ StringLike: { [`${GITHUB}:sub`]: "*" } })), {
      read: readDb,
    });
    // A provider that does not exist, and no permission policy.
    await createRole(
      "typo",
      trustOf({
        Effect: "Allow",
        Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.co` },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: { "token.actions.githubusercontent.co:sub": "repo:me/app:ref:refs/heads/main" },
        },
      }),
    );
  });
  after(() => store.close());

  it("who-can names roles whose sessions can read the secret, as roles", async () => {
    const grants = await review.whoCan(secret);
    const roles = grants.filter((g) => g.kind === "role").map((g) => `${g.principal} ${g.policyName}`);
    assert.deepEqual(roles.sort(), [`${roleArnOf("deployer")} read`, `${roleArnOf("open")} read`]);
  });

  it("who-can counts a resource policy that names the role as the role's grant", async () => {
    const withPolicy = {
      ...secret,
      resourcePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "TypoRole",
            Effect: "Allow",
            Principal: { AWS: roleArnOf("typo") },
            Action: "secretsmanager:GetSecretValue",
            Resource: "*",
          },
        ],
      }),
    } as SecretRecord;
    const grant = (await review.whoCan(withPolicy)).find((g) => g.principal === roleArnOf("typo"));
    assert.deepEqual(grant && { kind: grant.kind, source: grant.source, sid: grant.sid }, {
      kind: "role",
      source: "resource",
      sid: "TypoRole",
    });
  });

  it("lint reports trust policies that let any subject in or name a provider that does not exist", async () => {
    const findings = await review.lint({ unusedDays: 90 });
    const trust = findings
      .filter((f) => f.policyName === TRUST_POLICY_NAME)
      .map((f) => `${f.principal.split("/").pop()} ${f.code} ${f.severity} ${f.statement}`);
    assert.deepEqual(trust.sort(), [
      "open OPEN_WEB_IDENTITY_TRUST error GitHub",
      "typo UNKNOWN_OIDC_PROVIDER error Statement[0]",
    ]);
  });

  it("lint counts a role's sessions' calls as the role's use", async () => {
    const findings = await review.lint({ unusedDays: 90 });
    const unused = findings.filter((f) => f.code === "UNUSED_GRANT").map((f) => f.principal);
    assert.ok(unused.includes(roleArnOf("open")), JSON.stringify(findings));
    assert.ok(!unused.includes(roleArnOf("deployer")), JSON.stringify(findings));
  });
});
