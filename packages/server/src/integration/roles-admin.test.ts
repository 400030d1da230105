/**
 * The admin API for workload identity (docs/adr/0011) through a real server: roles, their
 * permission policies and OIDC providers — created, read, changed, refused, authorized and audited.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { AuditEvent } from "../audit/event.js";
import { type AdminCallError, adminCall, createUserWithPolicy } from "../testing/admin-call.js";
import { type ServerProcess, startServerProcess, testAccountId } from "../testing/server-process.js";

const GITHUB = "token.actions.githubusercontent.com";
const githubArn = `arn:aws:iam::${testAccountId}:oidc-provider/${GITHUB}`;
const roleArn = (name: string) => `arn:aws:iam::${testAccountId}:role/${name}`;
const trustPolicy = (sub = "repo:me/app:ref:refs/heads/main") =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "GitHubMain",
        Effect: "Allow",
        Principal: { Federated: githubArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${GITHUB}:sub`]: sub, [`${GITHUB}:aud`]: "sts.amazonaws.com" } },
      },
    ],
  });
const readPolicy = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Sid: "Read", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" }],
});
/** A JWKS document with one real signing key (the verifier refuses keys it could not use). */
const jwks = JSON.stringify({
  keys: [
    {
      ...generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ format: "jwk" }),
      kid: "k1",
      use: "sig",
      alg: "RS256",
    },
  ],
});

let server: ServerProcess;
const call = (operation: string, input: object) => adminCall(server.url, operation, input);

/** Asserts the call fails with this AWS error (and HTTP status), its message matching `message`. */
async function refused(operation: string, input: object, type: string, message: RegExp, status = 400) {
  await assert.rejects(call(operation, input), (error: AdminCallError) => {
    assert.equal(error.type, type, error.message);
    assert.equal(error.status, status);
    assert.match(error.message, message);
    return true;
  });
}

before(async () => {
  server = await startServerProcess();
});
after(async () => {
  await server.stop();
  server.cleanup();
});

describe("roles through the admin API", () => {
  test("CreateRole answers IAM's Role, and GetRole, ListRoles, UpdateRole, UpdateAssumeRolePolicy, TagRole, UntagRole, DeleteRole work on it", async () => {
    const { Role } = (await call("CreateRole", {
      RoleName: "deploy",
      AssumeRolePolicyDocument: trustPolicy(),
      Description: "deploys the app",
      Tags: [{ Key: "team", Value: "ops" }],
    })) as { Role: Record<string, unknown> };
    assert.equal(Role.RoleName, "deploy");
    assert.equal(Role.Arn, roleArn("deploy"));
    assert.match(String(Role.RoleId), /^AROA[A-Z2-7]{17}$/);
    assert.equal(Role.MaxSessionDuration, 3600);
    assert.equal(Role.AssumeRolePolicyDocument, trustPolicy());
    assert.equal(Role.Description, "deploys the app");
    assert.deepEqual(Role.Tags, [{ Key: "team", Value: "ops" }]);
    assert.equal(typeof Role.CreateDate, "number");

    assert.deepEqual((await call("GetRole", { RoleName: "deploy" })).Role, Role);
    const { Roles } = (await call("ListRoles", {})) as { Roles: Array<{ RoleName: string }> };
    assert.ok(Roles.some((r) => r.RoleName === "deploy"));
    const { Users } = (await call("ListUsers", {})) as { Users: Array<{ UserName: string }> };
    assert.ok(!Users.some((u) => u.UserName === "deploy"), "a role is not a user");

    await call("UpdateRole", { RoleName: "deploy", MaxSessionDuration: 7200, Description: "ships it" });
    await call("UpdateAssumeRolePolicy", {
      RoleName: "deploy",
      PolicyDocument: trustPolicy("repo:me/app:*"),
    });
    await call("TagRole", { RoleName: "deploy", Tags: [{ Key: "tier", Value: "1" }] });
    await call("UntagRole", { RoleName: "deploy", TagKeys: ["team"] });
    const updated = (await call("GetRole", { RoleName: "deploy" })).Role as Record<string, unknown>;
    assert.deepEqual(
      [updated.MaxSessionDuration, updated.Description, updated.AssumeRolePolicyDocument, updated.Tags],
      [7200, "ships it", trustPolicy("repo:me/app:*"), [{ Key: "tier", Value: "1" }]],
    );

    await call("DeleteRole", { RoleName: "deploy" });
    await refused(
      "GetRole",
      { RoleName: "deploy" },
      "ResourceNotFoundException",
      /Role deploy does not exist/,
    );
  });

  test("a role's name is taken once among roles; a user may have it too (separate name spaces, as in IAM)", async () => {
    await call("CreateRole", { RoleName: "twice", AssumeRolePolicyDocument: trustPolicy() });
    await refused(
      "CreateRole",
      { RoleName: "twice", AssumeRolePolicyDocument: trustPolicy() },
      "ResourceExistsException",
      /Role twice already exists/,
    );
    await call("CreateUser", { UserName: "twice" });
    assert.equal(
      ((await call("GetUser", { UserName: "twice" })).User as { Arn: string }).Arn.endsWith(":user/twice"),
      true,
    );
  });

  test("a malformed trust policy is refused with the parser's message, and nothing is stored", async () => {
    const withResource = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: githubArn },
          Action: "sts:AssumeRoleWithWebIdentity",
          Resource: "*",
        },
      ],
    });
    await refused(
      "CreateRole",
      { RoleName: "malformed", AssumeRolePolicyDocument: withResource },
      "MalformedPolicyDocumentException",
      /Statement\[0\]\.Resource: A trust policy applies to the role it belongs to and cannot have Resource; remove it\./,
    );
    await refused(
      "CreateRole",
      {
        RoleName: "malformed",
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Federated: "github" }, Action: "sts:AssumeRoleWithWebIdentity" },
          ],
        }),
      },
      "MalformedPolicyDocumentException",
      /"github" is not an OIDC provider's ARN/,
    );
    await refused("GetRole", { RoleName: "malformed" }, "ResourceNotFoundException", /does not exist/);
    await call("CreateRole", { RoleName: "kept", AssumeRolePolicyDocument: trustPolicy() });
    await refused(
      "UpdateAssumeRolePolicy",
      { RoleName: "kept", PolicyDocument: "{not json" },
      "MalformedPolicyDocumentException",
      /JSON/,
    );
    assert.equal(
      ((await call("GetRole", { RoleName: "kept" })).Role as { AssumeRolePolicyDocument: string })
        .AssumeRolePolicyDocument,
      trustPolicy(),
    );
  });

  test("MaxSessionDuration outside 3600..43200 and a bad role name are 400s", async () => {
    for (const seconds of [60, 3599, 43201]) {
      await refused(
        "CreateRole",
        { RoleName: "short", AssumeRolePolicyDocument: trustPolicy(), MaxSessionDuration: seconds },
        "ValidationException",
        /maxSessionDuration/i,
      );
    }
    await call("CreateRole", {
      RoleName: "bounded",
      AssumeRolePolicyDocument: trustPolicy(),
      MaxSessionDuration: 43200,
    });
    await refused(
      "UpdateRole",
      { RoleName: "bounded", MaxSessionDuration: 50000 },
      "ValidationException",
      /maxSessionDuration/i,
    );
    await refused(
      "CreateRole",
      { RoleName: "has space", AssumeRolePolicyDocument: trustPolicy() },
      "ValidationException",
      /roleName/i,
    );
  });

  test("permission policies attach to a role: PutRolePolicy, GetRolePolicy, ListRolePolicies, DeleteRolePolicy", async () => {
    await call("CreateRole", { RoleName: "reader", AssumeRolePolicyDocument: trustPolicy() });
    await call("PutRolePolicy", { RoleName: "reader", PolicyName: "read", PolicyDocument: readPolicy });
    const got = await call("GetRolePolicy", { RoleName: "reader", PolicyName: "read" });
    assert.deepEqual([got.RoleName, got.PolicyName, got.PolicyDocument], ["reader", "read", readPolicy]);
    assert.deepEqual((await call("ListRolePolicies", { RoleName: "reader" })).PolicyNames, ["read"]);
    await refused(
      "PutRolePolicy",
      {
        RoleName: "reader",
        PolicyName: "typo",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValu", Resource: "*" }],
        }),
      },
      "MalformedPolicyDocumentException",
      /did you mean "secretsmanager:GetSecretValue"/,
    );
    await refused(
      "PutRolePolicy",
      { RoleName: "nobody", PolicyName: "read", PolicyDocument: readPolicy },
      "ResourceNotFoundException",
      /Role nobody does not exist/,
    );
    await call("DeleteRolePolicy", { RoleName: "reader", PolicyName: "read" });
    assert.deepEqual((await call("ListRolePolicies", { RoleName: "reader" })).PolicyNames, []);
    await refused(
      "DeleteRolePolicy",
      { RoleName: "reader", PolicyName: "read" },
      "ResourceNotFoundException",
      /Role reader has no policy named read/,
    );
  });
});

describe("OIDC providers through the admin API", () => {
  test("CreateOpenIDConnectProvider, Get, List, Update and Delete", async () => {
    const created = await call("CreateOpenIDConnectProvider", {
      Url: `https://${GITHUB}`,
      ClientIDList: ["sts.amazonaws.com"],
      Tags: [{ Key: "ci", Value: "github" }],
    });
    assert.equal(created.OpenIDConnectProviderArn, githubArn);
    const got = await call("GetOpenIDConnectProvider", { OpenIDConnectProviderArn: githubArn });
    assert.deepEqual(
      [got.Url, got.ClientIDList, got.KeySource, got.Tags],
      [`https://${GITHUB}`, ["sts.amazonaws.com"], "Discovery", [{ Key: "ci", Value: "github" }]],
    );

    const cluster = "https://cluster.internal.example/issuer";
    const { OpenIDConnectProviderArn: clusterArn } = await call("CreateOpenIDConnectProvider", {
      Url: cluster,
      ClientIDList: ["coffer", "coffer"],
      JwksDocument: jwks,
    });
    assert.equal(clusterArn, `arn:aws:iam::${testAccountId}:oidc-provider/cluster.internal.example/issuer`);
    const stored = await call("GetOpenIDConnectProvider", { OpenIDConnectProviderArn: clusterArn as string });
    assert.deepEqual(
      [stored.KeySource, stored.JwksDocument, stored.ClientIDList],
      ["JwksDocument", jwks, ["coffer"]],
    );

    const { OpenIDConnectProviderList } = (await call("ListOpenIDConnectProviders", {})) as {
      OpenIDConnectProviderList: Array<Record<string, unknown>>;
    };
    assert.deepEqual(
      OpenIDConnectProviderList.map((p) => [p.Arn, p.Url, p.KeySource, "JwksDocument" in p]),
      [
        [clusterArn, cluster, "JwksDocument", false],
        [githubArn, `https://${GITHUB}`, "Discovery", false],
      ],
    );

    await call("UpdateOpenIDConnectProvider", {
      OpenIDConnectProviderArn: clusterArn as string,
      ClientIDList: ["coffer", "vault-migration"],
      JwksUri: "https://cluster.internal.example/issuer/keys",
    });
    const changed = await call("GetOpenIDConnectProvider", {
      OpenIDConnectProviderArn: clusterArn as string,
    });
    assert.deepEqual(
      [changed.ClientIDList, changed.KeySource, changed.JwksUri],
      [["coffer", "vault-migration"], "JwksUri", "https://cluster.internal.example/issuer/keys"],
    );
    await call("UpdateOpenIDConnectProvider", {
      OpenIDConnectProviderArn: clusterArn as string,
      UseDiscovery: true,
    });
    assert.equal(
      (await call("GetOpenIDConnectProvider", { OpenIDConnectProviderArn: clusterArn as string })).KeySource,
      "Discovery",
    );

    await call("DeleteOpenIDConnectProvider", { OpenIDConnectProviderArn: clusterArn as string });
    await refused(
      "GetOpenIDConnectProvider",
      { OpenIDConnectProviderArn: clusterArn as string },
      "ResourceNotFoundException",
      /does not exist/,
    );
  });

  test("refuses a second provider for an issuer, a bad JWKS document, two key sources, no audience, an http issuer", async () => {
    const url = "https://gitlab.example.com";
    await call("CreateOpenIDConnectProvider", { Url: url, ClientIDList: ["coffer"] });
    await refused(
      "CreateOpenIDConnectProvider",
      { Url: url, ClientIDList: ["coffer"] },
      "ResourceExistsException",
      /An OIDC provider for https:\/\/gitlab\.example\.com already exists/,
    );
    await refused(
      "CreateOpenIDConnectProvider",
      { Url: "https://bad-jwks.example.com", ClientIDList: ["coffer"], JwksDocument: '{"keys": []}' },
      "InvalidParameterException",
      /The JWKS document is not usable/,
    );
    await refused(
      "CreateOpenIDConnectProvider",
      {
        Url: "https://two.example.com",
        ClientIDList: ["coffer"],
        JwksDocument: jwks,
        JwksUri: "https://two.example.com/k",
      },
      "InvalidParameterException",
      /one source for the provider's keys/,
    );
    await refused(
      "CreateOpenIDConnectProvider",
      { Url: "https://none.example.com" },
      "InvalidParameterException",
      /at least one audience/,
    );
    await refused(
      "CreateOpenIDConnectProvider",
      { Url: "http://plain.example.com", ClientIDList: ["coffer"] },
      "InvalidParameterException",
      /https/,
    );
    await refused(
      "UpdateOpenIDConnectProvider",
      { OpenIDConnectProviderArn: `arn:aws:iam::${testAccountId}:oidc-provider/gitlab.example.com` },
      "InvalidParameterException",
      /Nothing to change/,
    );
  });
});

describe("authorization, audit and review of roles", () => {
  test("a user without coffer:CreateRole is refused, naming the action and the role's ARN; one allowed ci-* roles creates those only", async () => {
    const nobody = await createUserWithPolicy(server.url, "role-nobody", undefined);
    await assert.rejects(
      adminCall(
        server.url,
        "CreateRole",
        { RoleName: "sneaky", AssumeRolePolicyDocument: trustPolicy() },
        nobody,
      ),
      (error: AdminCallError) => {
        assert.equal(error.type, "AccessDeniedException");
        assert.match(
          error.message,
          /not authorized to perform: coffer:CreateRole on resource: arn:aws:iam::123456789012:role\/sneaky/,
        );
        return true;
      },
    );
    const ci = await createUserWithPolicy(server.url, "role-maker", {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "coffer:CreateRole", Resource: roleArn("ci-*") }],
    });
    await adminCall(
      server.url,
      "CreateRole",
      { RoleName: "ci-build", AssumeRolePolicyDocument: trustPolicy() },
      ci,
    );
    await assert.rejects(
      adminCall(
        server.url,
        "CreateRole",
        { RoleName: "prod-deploy", AssumeRolePolicyDocument: trustPolicy() },
        ci,
      ),
      /AccessDeniedException/,
    );
    await refused("GetRole", { RoleName: "sneaky" }, "ResourceNotFoundException", /does not exist/);
  });

  test("every change to roles and providers is in the audit trail, ahead (intent) and after (outcome)", async () => {
    const changes = [
      "CreateRole",
      "UpdateRole",
      "UpdateAssumeRolePolicy",
      "TagRole",
      "UntagRole",
      "DeleteRole",
      "PutRolePolicy",
      "DeleteRolePolicy",
      "CreateOpenIDConnectProvider",
      "UpdateOpenIDConnectProvider",
      "DeleteOpenIDConnectProvider",
    ];
    for (const eventName of changes) {
      const { Events } = (await call("QueryAuditEvents", {
        EventName: eventName,
        Principal: `arn:aws:iam::${testAccountId}:user/admin`,
        MaxResults: 1000,
      })) as {
        Events: Array<{ Event: AuditEvent }>;
      };
      const events = Events.map(({ Event }) => Event);
      const outcome = events.find(
        (e) => e.errorCode === undefined && e.additionalEventData?.auditPhase !== "intent",
      );
      assert.ok(outcome, `${eventName}: no successful event`);
      assert.ok(
        events.some(
          (e) => e.requestID === outcome.requestID && e.additionalEventData?.auditPhase === "intent",
        ),
        `${eventName}: no intent before it`,
      );
      assert.equal(outcome.readOnly, false);
      assert.equal(outcome.userIdentity.arn, `arn:aws:iam::${testAccountId}:user/admin`);
      const named =
        outcome.requestParameters?.roleName ??
        outcome.requestParameters?.url ??
        outcome.requestParameters?.openIDConnectProviderArn;
      assert.ok(
        typeof named === "string" && named.length > 0,
        `${eventName}: ${JSON.stringify(outcome.requestParameters)}`,
      );
    }
    const refusedCreate = (await call("QueryAuditEvents", {
      EventName: "CreateRole",
      Outcome: "denied",
    })) as {
      Events: Array<{ Event: AuditEvent }>;
    };
    assert.ok(refusedCreate.Events.some(({ Event }) => Event.requestParameters?.roleName === "sneaky"));
  });

  test("who-can names a role whose policy allows the read, as a role; lint flags a trust policy open to every repository", async () => {
    await call("CreateRole", { RoleName: "app", AssumeRolePolicyDocument: trustPolicy() });
    await call("PutRolePolicy", { RoleName: "app", PolicyName: "read", PolicyDocument: readPolicy });
    await call("CreateRole", {
      RoleName: "anyrepo",
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "AnyRepo",
            Effect: "Allow",
            Principal: { Federated: githubArn },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: { StringLike: { [`${GITHUB}:sub`]: "*" } },
          },
        ],
      }),
    });
    const { ARN } = (await fetchJson("CreateSecret", { Name: "roles/db", SecretString: "x" })) as {
      ARN: string;
    };
    const { Principals } = (await call("WhoCanAccess", { SecretId: ARN })) as {
      Principals: Array<{ Principal: string; Kind: string; PolicyName?: string }>;
    };
    const app = Principals.find((p) => p.Principal === roleArn("app"));
    assert.deepEqual(app && [app.Kind, app.PolicyName], ["role", "read"]);
    assert.equal(Principals.find((p) => p.Principal.endsWith(":user/admin"))?.Kind, "user");

    const { Findings } = (await call("LintPolicies", {})) as {
      Findings: Array<{
        Code: string;
        Severity: string;
        Principal: string;
        PolicyName: string;
        Statement: string;
      }>;
    };
    const open = Findings.find(
      (f) => f.Principal === roleArn("anyrepo") && f.Code === "OPEN_WEB_IDENTITY_TRUST",
    );
    assert.deepEqual(open && [open.Severity, open.PolicyName, open.Statement], [
      "error",
      "(trust policy)",
      "AnyRepo",
    ]);
    assert.ok(!Findings.some((f) => f.Principal === roleArn("app") && f.PolicyName === "(trust policy)"));
  });
});

/** A Secrets Manager call signed as the test admin. */
async function fetchJson(operation: string, input: object): Promise<Record<string, unknown>> {
  return adminCall(server.url, operation, input, undefined, `secretsmanager.${operation}`);
}
