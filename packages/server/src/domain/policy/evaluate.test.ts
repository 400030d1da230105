// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are written ${key}, not JS templates.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AccessDeniedException } from "../../errors/catalog.js";
import type { RequestPrincipal } from "./compile.js";
import {
  type AuthorizationRequest,
  accessDeniedMessage,
  authorize,
  contextMap,
  evaluate,
} from "./evaluate.js";
import { parsePolicy } from "./parse.js";
import type { Policy } from "./types.js";

const ACCOUNT = "123456789012";
const OTHER = "210987654321";
const alice: RequestPrincipal = { arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT, tags: {} };
const bob: RequestPrincipal = { arn: `arn:aws:iam::${ACCOUNT}:user/bob`, accountId: ACCOUNT };
const appSession: RequestPrincipal = {
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/i-0abc`,
  accountId: ACCOUNT,
};
const carol: RequestPrincipal = { arn: `arn:aws:iam::${OTHER}:user/carol`, accountId: OTHER };
const SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/db-AbCdEf`;
const GET = "secretsmanager:GetSecretValue";

function identity(statements: object | object[], name = "inline"): Policy {
  return parsePolicy(JSON.stringify({ Version: "2012-10-17", Statement: statements }), {
    kind: "identity",
    name,
  });
}

function resource(statements: object | object[]): Policy {
  return parsePolicy(JSON.stringify({ Version: "2012-10-17", Statement: statements }), { kind: "resource" });
}

function request(overrides: Partial<AuthorizationRequest>): AuthorizationRequest {
  return { principal: alice, action: GET, resource: SECRET, identityPolicies: [], ...overrides };
}

const allowGet = { Effect: "Allow", Action: GET, Resource: "*" };
const denyGet = { Sid: "NoReads", Effect: "Deny", Action: "secretsmanager:Get*", Resource: SECRET };

describe("evaluate", () => {
  it("denies without any policy", () => {
    assert.deepEqual(evaluate(request({})), { decision: "implicit-deny", missingAllow: "identity" });
  });

  it("allows through an identity policy and reports the statement", () => {
    const result = evaluate(
      request({ identityPolicies: [identity([{ Sid: "Read", ...allowGet }], "readers")] }),
    );
    assert.deepEqual(result, {
      decision: "allow",
      matched: { source: "identity", policyName: "readers", sid: "Read", statementIndex: 0 },
    });
  });

  it("an explicit deny wins over any allow, from either side", () => {
    const allowAll = identity({ Effect: "Allow", Action: "*", Resource: "*" });
    assert.equal(
      evaluate(request({ identityPolicies: [allowAll, identity(denyGet, "guard")] })).decision,
      "explicit-deny",
    );
    const viaResource = evaluate(
      request({
        identityPolicies: [allowAll],
        resourcePolicy: resource({ Effect: "Deny", Principal: "*", Action: GET, Resource: "*" }),
      }),
    );
    assert.deepEqual(viaResource, {
      decision: "explicit-deny",
      matched: { source: "resource", statementIndex: 0 },
    });
  });

  it("matches actions case-insensitively and with wildcards", () => {
    for (const action of [
      "secretsmanager:*",
      "SecretsManager:GetSecret*",
      "secretsmanager:?etSecretValue",
      "*",
    ]) {
      const result = evaluate(
        request({
          action: "SECRETSMANAGER:getsecretvalue",
          identityPolicies: [identity({ ...allowGet, Action: action })],
        }),
      );
      assert.equal(result.decision, "allow", action);
    }
    const put = evaluate(
      request({ action: "secretsmanager:PutSecretValue", identityPolicies: [identity(allowGet)] }),
    );
    assert.equal(put.decision, "implicit-deny");
  });

  it("matches resources: ARN wildcards, NotResource, and `*` requests", () => {
    const scoped = identity({
      Effect: "Allow",
      Action: "secretsmanager:*",
      Resource: `arn:aws:secretsmanager:*:${ACCOUNT}:secret:prod/*`,
    });
    assert.equal(evaluate(request({ identityPolicies: [scoped] })).decision, "allow");
    assert.equal(
      evaluate(request({ resource: SECRET.replace("prod/", "dev/"), identityPolicies: [scoped] })).decision,
      "implicit-deny",
    );
    assert.equal(
      evaluate(request({ action: "secretsmanager:ListSecrets", resource: "*", identityPolicies: [scoped] }))
        .decision,
      "implicit-deny",
      "ListSecrets is authorized on *, which an ARN pattern does not cover",
    );
    const allButProd = identity({
      Effect: "Allow",
      Action: GET,
      NotResource: `arn:aws:secretsmanager:*:*:secret:prod/*`,
    });
    assert.equal(evaluate(request({ identityPolicies: [allButProd] })).decision, "implicit-deny");
    assert.equal(
      evaluate(request({ resource: SECRET.replace("prod/", "dev/"), identityPolicies: [allButProd] }))
        .decision,
      "allow",
    );
  });

  it("substitutes policy variables in Resource", () => {
    const own = identity({
      Effect: "Allow",
      Action: GET,
      Resource: "arn:aws:secretsmanager:*:*:secret:home/${aws:username}/*",
    });
    const home = (name: string) =>
      `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:home/${name}/token-AbCdEf`;
    assert.equal(evaluate(request({ resource: home("alice"), identityPolicies: [own] })).decision, "allow");
    assert.equal(
      evaluate(request({ resource: home("bob"), identityPolicies: [own] })).decision,
      "implicit-deny",
    );
    assert.equal(
      evaluate(request({ principal: appSession, resource: home("app"), identityPolicies: [own] })).decision,
      "implicit-deny",
      "a role session has no aws:username: the pattern matches nothing",
    );
    const notOwn = identity({
      Effect: "Deny",
      Action: GET,
      NotResource: "arn:aws:secretsmanager:*:*:secret:home/${aws:username}/*",
    });
    assert.equal(
      evaluate(
        request({
          principal: appSession,
          resource: home("app"),
          identityPolicies: [identity(allowGet), notOwn],
        }),
      ).decision,
      "explicit-deny",
      "unresolved NotResource excludes nothing",
    );
  });

  it("a resource policy grants directly to a named user, role session or everyone", () => {
    const toAlice = resource({
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` },
      Action: GET,
      Resource: "*",
    });
    assert.deepEqual(evaluate(request({ resourcePolicy: toAlice })), {
      decision: "allow",
      matched: { source: "resource", statementIndex: 0 },
    });
    assert.equal(evaluate(request({ principal: bob, resourcePolicy: toAlice })).decision, "implicit-deny");

    const toRole = resource({
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/service/app` },
      Action: GET,
      Resource: "*",
    });
    assert.equal(evaluate(request({ principal: appSession, resourcePolicy: toRole })).decision, "allow");
    assert.equal(evaluate(request({ principal: bob, resourcePolicy: toRole })).decision, "implicit-deny");

    const toEveryone = resource({ Effect: "Allow", Principal: "*", Action: GET, Resource: "*" });
    assert.equal(evaluate(request({ principal: bob, resourcePolicy: toEveryone })).decision, "allow");
    const toAnyAws = resource({ Effect: "Allow", Principal: { AWS: "*" }, Action: GET, Resource: SECRET });
    assert.equal(evaluate(request({ principal: bob, resourcePolicy: toAnyAws })).decision, "allow");
    const toService = resource({
      Effect: "Allow",
      Principal: { Service: "lambda.amazonaws.com" },
      Action: GET,
      Resource: "*",
    });
    assert.equal(evaluate(request({ resourcePolicy: toService })).decision, "implicit-deny");
  });

  it("an account principal delegates to identity policies and does not grant by itself (same account)", () => {
    for (const principal of [ACCOUNT, `arn:aws:iam::${ACCOUNT}:root`]) {
      const toAccount = resource({
        Effect: "Allow",
        Principal: { AWS: principal },
        Action: GET,
        Resource: "*",
      });
      assert.equal(evaluate(request({ resourcePolicy: toAccount })).decision, "implicit-deny", principal);
      assert.equal(
        evaluate(request({ resourcePolicy: toAccount, identityPolicies: [identity(allowGet)] })).decision,
        "allow",
      );
      const root = { arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT };
      assert.equal(
        evaluate(request({ principal: root, resourcePolicy: toAccount })).decision,
        "allow",
        "the root itself",
      );
      const denyAccount = resource({
        Effect: "Deny",
        Principal: { AWS: principal },
        Action: GET,
        Resource: "*",
      });
      assert.equal(
        evaluate(request({ resourcePolicy: denyAccount, identityPolicies: [identity(allowGet)] })).decision,
        "explicit-deny",
        "a Deny to the account covers everyone in it",
      );
    }
  });

  it("cross-account requests need both an identity and a resource Allow", () => {
    const carolReads = identity(allowGet);
    const toOther = resource({ Effect: "Allow", Principal: { AWS: OTHER }, Action: GET, Resource: "*" });
    assert.equal(
      evaluate(request({ principal: carol, identityPolicies: [carolReads], resourcePolicy: toOther }))
        .decision,
      "allow",
    );
    assert.deepEqual(evaluate(request({ principal: carol, identityPolicies: [carolReads] })), {
      decision: "implicit-deny",
      missingAllow: "resource",
    });
    assert.deepEqual(evaluate(request({ principal: carol, resourcePolicy: toOther })), {
      decision: "implicit-deny",
      missingAllow: "identity",
    });
    const toEveryone = resource({ Effect: "Allow", Principal: "*", Action: GET, Resource: "*" });
    assert.equal(
      evaluate(request({ principal: carol, resourcePolicy: toEveryone })).decision,
      "implicit-deny",
    );
  });

  it("NotPrincipal: a Deny for everyone except the listed principals", () => {
    const onlyApp = resource({
      Effect: "Deny",
      NotPrincipal: { AWS: [`arn:aws:iam::${ACCOUNT}:role/app`] },
      Action: "secretsmanager:*",
      Resource: "*",
    });
    const admin = identity({ Effect: "Allow", Action: "secretsmanager:*", Resource: "*" });
    assert.equal(
      evaluate(request({ identityPolicies: [admin], resourcePolicy: onlyApp })).decision,
      "explicit-deny",
    );
    assert.equal(
      evaluate(request({ principal: appSession, identityPolicies: [admin], resourcePolicy: onlyApp }))
        .decision,
      "allow",
    );
  });

  it("conditions gate statements, using derived keys", () => {
    const fromVpn = identity({ ...allowGet, Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } });
    assert.equal(
      evaluate(request({ identityPolicies: [fromVpn], context: { "aws:SourceIp": "10.2.3.4" } })).decision,
      "allow",
    );
    assert.equal(
      evaluate(request({ identityPolicies: [fromVpn], context: { "aws:SourceIp": "8.8.8.8" } })).decision,
      "implicit-deny",
    );
    assert.equal(evaluate(request({ identityPolicies: [fromVpn] })).decision, "implicit-deny");
    const onlyAlice = resource({
      Effect: "Allow",
      Principal: "*",
      Action: GET,
      Resource: "*",
      Condition: { StringEquals: { "aws:username": "alice" } },
    });
    assert.equal(evaluate(request({ resourcePolicy: onlyAlice })).decision, "allow");
    assert.equal(evaluate(request({ principal: bob, resourcePolicy: onlyAlice })).decision, "implicit-deny");
  });

  it("derives context keys from the principal; explicit context wins", () => {
    const map = contextMap({
      principal: {
        arn: `arn:aws:iam::${ACCOUNT}:user/ops/alice`,
        accountId: ACCOUNT,
        tags: { Team: "payments" },
      },
      context: {
        "AWS:SourceIp": "10.0.0.1",
        "aws:username": "override",
        "aws:ResourceTag/env": "prod",
        "aws:CalledVia": ["a", "b"],
      },
    });
    assert.deepEqual(map.get("aws:principalarn"), `arn:aws:iam::${ACCOUNT}:user/ops/alice`);
    assert.equal(map.get("aws:principalaccount"), ACCOUNT);
    assert.deepEqual(map.get("aws:principaltype"), "User");
    assert.deepEqual(map.get("aws:principaltag/team"), "payments");
    assert.deepEqual(map.get("aws:username"), "override");
    assert.deepEqual(map.get("aws:sourceip"), "10.0.0.1");
    assert.deepEqual(map.get("secretsmanager:resourcetag/env"), "prod");
    assert.deepEqual(map.get("aws:calledvia"), ["a", "b"]);
    assert.deepEqual(contextMap({ principal: appSession }).get("aws:principaltype"), "AssumedRole");
    assert.equal(contextMap({ principal: appSession }).get("aws:username"), undefined);
  });

  it("rejects policies of the wrong kind", () => {
    const asResource = resource({ Effect: "Allow", Principal: "*", Action: GET, Resource: "*" });
    assert.throws(() => evaluate(request({ identityPolicies: [asResource] })), TypeError);
    assert.throws(() => evaluate(request({ resourcePolicy: identity(allowGet) })), TypeError);
  });
});

describe("accessDeniedMessage", () => {
  const user = `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: ${GET}`;

  it("words an implicit deny like AWS", () => {
    const req = request({});
    assert.equal(
      accessDeniedMessage(req, evaluate(req)),
      `${user} on resource: ${SECRET} because no identity-based policy allows the ${GET} action`,
    );
  });

  it("words explicit denies by where they come from", () => {
    const fromIdentity = request({ identityPolicies: [identity(denyGet)] });
    assert.equal(
      accessDeniedMessage(fromIdentity, evaluate(fromIdentity)),
      `${user} on resource: ${SECRET} with an explicit deny in an identity-based policy`,
    );
    const fromResource = request({
      resourcePolicy: resource({ Effect: "Deny", Principal: "*", Action: "*", Resource: "*" }),
    });
    assert.equal(
      accessDeniedMessage(fromResource, evaluate(fromResource)),
      `${user} on resource: ${SECRET} with an explicit deny in a resource-based policy`,
    );
  });

  it("names the missing resource-based policy cross-account, and leaves out resource *", () => {
    const cross = request({ principal: carol, identityPolicies: [identity(allowGet)] });
    assert.equal(
      accessDeniedMessage(cross, evaluate(cross)),
      `User: ${carol.arn} is not authorized to perform: ${GET} on resource: ${SECRET} because no resource-based policy allows the ${GET} action`,
    );
    const list = request({ action: "secretsmanager:ListSecrets", resource: "*" });
    assert.equal(
      accessDeniedMessage(list, evaluate(list)),
      `${user.replace(GET, "secretsmanager:ListSecrets")} because no identity-based policy allows the secretsmanager:ListSecrets action`,
    );
  });

  it("authorize throws AccessDeniedException with that message, or returns the allow", () => {
    const denied = request({});
    assert.throws(
      () => authorize(denied),
      (error: unknown) =>
        error instanceof AccessDeniedException &&
        error.awsName === "AccessDeniedException" &&
        error.message === accessDeniedMessage(denied, evaluate(denied)),
    );
    assert.equal(authorize(request({ identityPolicies: [identity(allowGet)] })).decision, "allow");
    assert.throws(() => accessDeniedMessage(denied, { decision: "allow" }), TypeError);
  });
});
