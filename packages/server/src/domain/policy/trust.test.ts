import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { MalformedPolicyDocumentException } from "../../errors/catalog.js";
import type { RequestPrincipal } from "./compile.js";
import { type AuthorizationRequest, evaluate } from "./evaluate.js";
import { analyzePolicy, parsePolicy } from "./parse.js";
import type { Policy } from "./types.js";

// Trust policies: a role's resource policy, evaluated with IAM's rule for roles (docs/adr/0011).

const ACCOUNT = "123456789012";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/app`;
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const OTHER_PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/gitlab.example.com`;
const alice: RequestPrincipal = { arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT };
const web: RequestPrincipal = { arn: PROVIDER, accountId: ACCOUNT, federated: true };
const WEB = "sts:AssumeRoleWithWebIdentity";

const doc = (statements: object | object[]) =>
  JSON.stringify({ Version: "2012-10-17", Statement: statements });
const trust = (statements: object | object[]): Policy =>
  parsePolicy(doc(statements), { kind: "resource", trust: true });
const identity = (statements: object | object[]): Policy =>
  parsePolicy(doc(statements), { kind: "identity", name: "inline" });

function decide(overrides: Partial<AuthorizationRequest>) {
  return evaluate({
    principal: alice,
    action: "sts:AssumeRole",
    resource: ROLE,
    identityPolicies: [],
    trust: true,
    ...overrides,
  }).decision;
}

describe("parsing a trust policy", () => {
  it("accepts Federated OIDC provider ARNs and statements without Resource", () => {
    const policy = trust({ Effect: "Allow", Principal: { Federated: PROVIDER }, Action: WEB });
    assert.deepEqual(policy.statements[0]?.principal, { Federated: [PROVIDER] });
  });

  it("refuses Resource, which IAM does not allow in a trust policy", () => {
    assert.throws(
      () =>
        trust({ Effect: "Allow", Principal: { AWS: alice.arn }, Action: "sts:AssumeRole", Resource: "*" }),
      (error: Error) =>
        error instanceof MalformedPolicyDocumentException && /cannot have Resource/.test(error.message),
    );
  });

  it("refuses a Federated principal that is not an OIDC provider's ARN", () => {
    const issues = analyzePolicy(
      doc({ Effect: "Allow", Principal: { Federated: "accounts.google.com" }, Action: WEB }),
      { kind: "resource", trust: true },
    ).issues;
    assert.equal(issues[0]?.code, "INVALID_PRINCIPAL");
  });

  it("keeps Federated out of a secret's resource policy", () => {
    const issues = analyzePolicy(
      doc({ Effect: "Allow", Principal: { Federated: PROVIDER }, Action: "secretsmanager:*", Resource: "*" }),
      { kind: "resource" },
    ).issues;
    assert.equal(issues[0]?.code, "UNSUPPORTED_PRINCIPAL_TYPE");
  });
});

describe("IAM's rule for roles", () => {
  it("a trust policy naming the user lets it in with no identity policy", () => {
    assert.equal(
      decide({
        resourcePolicy: trust({ Effect: "Allow", Principal: { AWS: alice.arn }, Action: "sts:AssumeRole" }),
      }),
      "allow",
    );
  });

  it("a trust policy naming only the account needs the caller's identity policy too", () => {
    const resourcePolicy = trust({ Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "sts:AssumeRole" });
    assert.equal(decide({ resourcePolicy }), "implicit-deny");
    const allowAssume = identity({ Effect: "Allow", Action: "sts:AssumeRole", Resource: ROLE });
    assert.equal(decide({ resourcePolicy, identityPolicies: [allowAssume] }), "allow");
  });

  it("an identity policy alone never lets anyone assume a role (unlike a secret's resource policy)", () => {
    const allowAll = identity({ Effect: "Allow", Action: "*", Resource: "*" });
    const resourcePolicy = trust({
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bob` },
      Action: "sts:AssumeRole",
    });
    assert.equal(decide({ resourcePolicy, identityPolicies: [allowAll] }), "implicit-deny");
    assert.equal(decide({ identityPolicies: [allowAll] }), "implicit-deny");
  });

  it("a Deny in either policy wins", () => {
    const resourcePolicy = trust([
      { Effect: "Allow", Principal: { AWS: alice.arn }, Action: "sts:AssumeRole" },
      { Effect: "Deny", Principal: "*", Action: "sts:AssumeRole" },
    ]);
    assert.equal(decide({ resourcePolicy }), "explicit-deny");
  });

  it("a web identity gets in only through a Federated entry naming its provider, with its conditions", () => {
    const resourcePolicy = trust({
      Effect: "Allow",
      Principal: { Federated: PROVIDER },
      Action: WEB,
      Condition: {
        StringEquals: { "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main" },
      },
    });
    const context = (sub: string) => ({ "token.actions.githubusercontent.com:sub": sub });
    assert.equal(
      decide({
        principal: web,
        action: WEB,
        resourcePolicy,
        context: context("repo:acme/app:ref:refs/heads/main"),
      }),
      "allow",
    );
    assert.equal(
      decide({ principal: web, action: WEB, resourcePolicy, context: context("repo:acme/app:pull_request") }),
      "implicit-deny",
    );
    const other: RequestPrincipal = { ...web, arn: OTHER_PROVIDER };
    assert.equal(
      decide({
        principal: other,
        action: WEB,
        resourcePolicy,
        context: context("repo:acme/app:ref:refs/heads/main"),
      }),
      "implicit-deny",
    );
  });
});

describe("property: only a Federated entry naming the provider matches a web identity", () => {
  it("holds for any mix of AWS, * and Federated principals", () => {
    const principalEntry = fc.oneof(
      fc.constant<object | string>("*"),
      fc.constant<object | string>({ AWS: "*" }),
      fc.constant<object | string>({ AWS: ACCOUNT }),
      fc.constant<object | string>({ AWS: alice.arn }),
      fc.constant<object | string>({ Federated: PROVIDER }),
      fc.constant<object | string>({ Federated: OTHER_PROVIDER }),
      fc.constant<object | string>({ AWS: "*", Federated: OTHER_PROVIDER }),
    );
    fc.assert(
      fc.property(fc.array(principalEntry, { minLength: 1, maxLength: 5 }), (principals) => {
        const resourcePolicy = trust(
          principals.map((Principal) => ({ Effect: "Allow", Principal, Action: WEB })),
        );
        const names = principals.some(
          (p) => typeof p === "object" && (p as { Federated?: string }).Federated === PROVIDER,
        );
        const allowAll = identity({ Effect: "Allow", Action: "*", Resource: "*" });
        const decision = decide({
          principal: web,
          action: WEB,
          resourcePolicy,
          identityPolicies: [allowAll],
        });
        assert.equal(decision === "allow", names);
      }),
    );
  });
});
