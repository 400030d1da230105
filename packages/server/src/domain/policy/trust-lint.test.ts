import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { evaluate } from "./evaluate.js";
import { parsePolicy } from "./parse.js";
import { matchesAnySubject, providerKeyPrefix, trustPolicyFindings } from "./trust-lint.js";
import type { Policy } from "./types.js";

const ACCOUNT = "123456789012";
const GITHUB = "token.actions.githubusercontent.com";
const EKS = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE0123";
const githubArn = `arn:aws:iam::${ACCOUNT}:oidc-provider/${GITHUB}`;
const eksArn = `arn:aws:iam::${ACCOUNT}:oidc-provider/${EKS}`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/deploy`;
const known = new Set([githubArn, eksArn]);

function trust(...statements: object[]): Policy {
  return parsePolicy(JSON.stringify({ Version: "2012-10-17", Statement: statements }), {
    kind: "resource",
    trust: true,
  });
}

const webIdentity = (provider: string, condition?: object) => ({
  Effect: "Allow",
  Principal: { Federated: provider },
  Action: "sts:AssumeRoleWithWebIdentity",
  ...(condition ? { Condition: condition } : {}),
});

const codes = (policy: Policy, providers: ReadonlySet<string> = known) =>
  trustPolicyFindings(policy, providers).map((f) => `${f.code}:${f.severity}@${f.statementIndex}`);

describe("trust policy lint", () => {
  it("flags a web identity statement with no condition on the subject (the GitHub Actions hole)", () => {
    const findings = trustPolicyFindings(
      trust(webIdentity(githubArn, { StringEquals: { [`${GITHUB}:aud`]: "sts.amazonaws.com" } })),
      known,
    );
    assert.deepEqual(
      findings.map((f) => f.code),
      ["OPEN_WEB_IDENTITY_TRUST"],
    );
    assert.match(findings[0]?.message ?? "", /no condition on "token\.actions\.githubusercontent\.com:sub"/);
    assert.match(findings[0]?.message ?? "", /repo:ORG\/REPO:ref:refs\/heads\/main/);
  });

  it("flags StringLike * (or repo:*) on the subject, and names the value", () => {
    for (const value of ["*", "repo:*", "**"]) {
      const findings = trustPolicyFindings(
        trust(webIdentity(githubArn, { StringLike: { [`${GITHUB}:sub`]: ["repo:me/app:*", value] } })),
        known,
      );
      assert.deepEqual(
        findings.map((f) => f.code),
        ["OPEN_WEB_IDENTITY_TRUST"],
        value,
      );
      assert.ok(findings[0]?.message.includes(`"${value}"`), findings[0]?.message);
    }
  });

  it("accepts a subject pinned by StringEquals or a StringLike within one repository or namespace", () => {
    assert.deepEqual(
      codes(
        trust(
          webIdentity(githubArn, { StringEquals: { [`${GITHUB}:sub`]: "repo:me/app:ref:refs/heads/main" } }),
        ),
      ),
      [],
    );
    assert.deepEqual(
      codes(trust(webIdentity(githubArn, { StringLike: { [`${GITHUB}:sub`]: "repo:me/app:*" } }))),
      [],
    );
    assert.deepEqual(
      codes(
        trust(webIdentity(eksArn, { StringEquals: { [`${EKS}:sub`]: "system:serviceaccount:apps:api" } })),
      ),
      [],
    );
    // Condition keys are matched case-insensitively, as the evaluator does.
    assert.deepEqual(
      codes(
        trust(webIdentity(githubArn, { StringEquals: { [`${GITHUB.toUpperCase()}:SUB`]: "repo:me/app:x" } })),
      ),
      [],
    );
  });

  it("does not credit negated operators, or a Deny, with pinning the subject", () => {
    assert.deepEqual(
      codes(trust(webIdentity(githubArn, { StringNotLike: { [`${GITHUB}:sub`]: "repo:evil/*" } }))),
      ["OPEN_WEB_IDENTITY_TRUST:error@0"],
    );
    assert.deepEqual(
      codes(
        trust(webIdentity(githubArn), {
          Effect: "Deny",
          Principal: { Federated: githubArn },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: { StringNotLike: { [`${GITHUB}:sub`]: "repo:me/*" } },
        }),
      ),
      ["OPEN_WEB_IDENTITY_TRUST:error@0"],
    );
  });

  it("only looks at statements that allow AssumeRoleWithWebIdentity", () => {
    const tagOnly = { ...webIdentity(githubArn), Action: "sts:TagSession" };
    assert.deepEqual(codes(trust(tagOnly)), []);
    assert.deepEqual(codes(trust({ ...webIdentity(githubArn), Action: "sts:*" })), [
      "OPEN_WEB_IDENTITY_TRUST:error@0",
    ]);
  });

  it("with two providers in one statement, a condition on one's subject keeps the other's tokens out", () => {
    const both = {
      ...webIdentity(githubArn, { StringEquals: { [`${GITHUB}:sub`]: "repo:me/app:ref:refs/heads/main" } }),
      Principal: { Federated: [githubArn, eksArn] },
    };
    assert.deepEqual(codes(trust(both)), []);
    const neither = { ...webIdentity(githubArn), Principal: { Federated: [githubArn, eksArn] } };
    assert.deepEqual(codes(trust(neither)), [
      "OPEN_WEB_IDENTITY_TRUST:error@0",
      "OPEN_WEB_IDENTITY_TRUST:error@0",
    ]);
  });

  it("flags a provider that does not exist", () => {
    const missing = `arn:aws:iam::${ACCOUNT}:oidc-provider/gitlab.example.com`;
    const findings = trustPolicyFindings(
      trust(
        webIdentity(missing, {
          StringEquals: { "gitlab.example.com:sub": "project_path:g/p:ref_type:branch:ref:main" },
        }),
      ),
      known,
    );
    assert.deepEqual(
      findings.map((f) => f.code),
      ["UNKNOWN_OIDC_PROVIDER"],
    );
    assert.match(
      findings[0]?.message ?? "",
      /gitlab\.example\.com, which does not exist on this server, so it lets nobody in/,
    );
  });

  it('flags "*" and {"AWS": "*"} principals that may AssumeRole: an error, a warning when conditioned', () => {
    const anyone = { Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" };
    assert.deepEqual(codes(trust(anyone)), ["TRUST_ANY_PRINCIPAL:error@0"]);
    assert.deepEqual(codes(trust({ ...anyone, Principal: { AWS: ["*"] } })), ["TRUST_ANY_PRINCIPAL:error@0"]);
    assert.deepEqual(
      codes(trust({ ...anyone, Condition: { StringEquals: { "aws:PrincipalTag/team": "ops" } } })),
      ["TRUST_ANY_PRINCIPAL:warning@0"],
    );
    assert.deepEqual(codes(trust({ ...anyone, Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/ci` } })), []);
    assert.deepEqual(codes(trust({ ...anyone, Effect: "Deny" })), []);
    // "*" never matches a web identity: only Federated does.
    assert.deepEqual(codes(trust({ ...anyone, Action: "sts:AssumeRoleWithWebIdentity" })), []);
  });

  it("knows which StringLike values match any subject", () => {
    for (const value of ["*", "?*", "repo:*", "project_path:*", "repo:*?"])
      assert.ok(matchesAnySubject(value), value);
    for (const value of ["repo:me/*", "system:serviceaccount:*", "*x", "repo:?", "?"]) {
      assert.ok(!matchesAnySubject(value), value);
    }
    assert.equal(providerKeyPrefix(eksArn), EKS);
    assert.equal(
      providerKeyPrefix(`arn:aws:iam::${ACCOUNT}:oidc-provider/tenant.auth0.com/`),
      "tenant.auth0.com",
    );
  });
});

// --- Properties: the lint's verdict against the evaluator's ----------------------------------------

const SUB = `${GITHUB}:sub`;
const AUD = `${GITHUB}:aud`;
const OTHER = `${GITHUB}:repository_owner`;

/** Condition clauses a trust statement may carry; every literal has a letter, so digit-only subjects never match one. */
const clauseArb: fc.Arbitrary<[string, string, string[]]> = fc.oneof(
  fc.tuple(
    fc.constantFrom(
      "StringEquals",
      "StringLike",
      "StringEqualsIgnoreCase",
      "StringNotLike",
      "StringNotEquals",
    ),
    fc.constant(SUB),
    fc.array(
      fc.constantFrom("repo:me/app:ref:refs/heads/main", "repo:me/*", "*", "repo:*", "*x", "repo:me/app:*"),
      {
        minLength: 1,
        maxLength: 2,
      },
    ),
  ),
  fc.tuple(
    fc.constantFrom("StringEquals", "StringLike"),
    fc.constantFrom(AUD, OTHER),
    fc.array(fc.constantFrom("sts.amazonaws.com", "me", "*"), { minLength: 1, maxLength: 2 }),
  ),
);

const statementArb = fc.record({
  effect: fc.constantFrom("Allow", "Allow", "Deny"),
  action: fc.constantFrom("sts:AssumeRoleWithWebIdentity", "sts:*", "sts:TagSession", "*"),
  clauses: fc.array(clauseArb, { maxLength: 3 }),
});

type GeneratedStatement = typeof statementArb extends fc.Arbitrary<infer T> ? T : never;

function documentOf(statements: GeneratedStatement[]) {
  return statements.map((s) => {
    const condition: Record<string, Record<string, string[]>> = {};
    for (const [operator, key, values] of s.clauses) {
      condition[operator] ??= {};
      (condition[operator] as Record<string, string[]>)[key] = values;
    }
    return {
      Effect: s.effect,
      Principal: { Federated: githubArn },
      Action: s.action,
      ...(s.clauses.length > 0 ? { Condition: condition } : {}),
    };
  });
}

/** Whether a token of the GitHub provider with these claims may assume the role. */
function letsIn(policy: Policy, claims: Record<string, string>): boolean {
  const result = evaluate({
    principal: { arn: githubArn, accountId: ACCOUNT, federated: true },
    action: "sts:AssumeRoleWithWebIdentity",
    resource: ROLE,
    context: claims,
    identityPolicies: [],
    resourcePolicy: policy,
    trust: true,
  });
  return result.decision === "allow";
}

describe("trust policy lint, properties", () => {
  it("when it finds no open statement, a stranger's token (a subject no policy names) never gets in", () => {
    fc.assert(
      fc.property(
        fc.array(statementArb, { minLength: 1, maxLength: 3 }),
        fc.stringMatching(/^[0-9]{1,12}$/),
        fc.constantFrom("sts.amazonaws.com", "me", "other"),
        (statements, stranger, audience) => {
          const policy = trust(...documentOf(statements));
          const open = trustPolicyFindings(policy, known).some((f) => f.code === "OPEN_WEB_IDENTITY_TRUST");
          if (open) return;
          assert.ok(!letsIn(policy, { [SUB]: stranger, [AUD]: audience, [OTHER]: audience }));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("when it finds an open statement, pinning that statement's subject with StringEquals closes it", () => {
    fc.assert(
      fc.property(fc.array(statementArb, { minLength: 1, maxLength: 3 }), (statements) => {
        const documents = documentOf(statements);
        const policy = trust(...documents);
        for (const finding of trustPolicyFindings(policy, known)) {
          if (finding.code !== "OPEN_WEB_IDENTITY_TRUST") continue;
          const fixed = documents.map((d, i) =>
            i === finding.statementIndex
              ? {
                  ...d,
                  Condition: {
                    ...(d.Condition ?? {}),
                    StringEquals: {
                      ...d.Condition?.StringEquals,
                      [SUB]: ["repo:me/app:ref:refs/heads/main"],
                    },
                  },
                }
              : d,
          );
          const after = trustPolicyFindings(trust(...fixed), known);
          assert.ok(
            !after.some(
              (f) => f.code === "OPEN_WEB_IDENTITY_TRUST" && f.statementIndex === finding.statementIndex,
            ),
            JSON.stringify(fixed),
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it("an open Allow with no other condition lets a stranger in, so the finding is not a false alarm", () => {
    fc.assert(
      fc.property(fc.constantFrom("*", "repo:*"), fc.stringMatching(/^[0-9]{1,12}$/), (value, stranger) => {
        const policy = trust(webIdentity(githubArn, { StringLike: { [SUB]: value } }));
        assert.deepEqual(codes(policy), ["OPEN_WEB_IDENTITY_TRUST:error@0"]);
        // `repo:*` needs the prefix GitHub always writes; `*` takes anything.
        assert.ok(letsIn(policy, { [SUB]: value === "*" ? stranger : `repo:${stranger}` }));
      }),
    );
  });

  it("without a TRUST_ANY_PRINCIPAL finding, a user the policy does not name cannot AssumeRole on the trust policy alone", () => {
    const principals = fc.constantFrom<unknown>(
      "*",
      { AWS: "*" },
      { AWS: ACCOUNT },
      { AWS: `arn:aws:iam::${ACCOUNT}:user/ci` },
      { AWS: `arn:aws:iam::${ACCOUNT}:role/builder` },
    );
    fc.assert(
      fc.property(
        principals,
        fc.constantFrom("sts:AssumeRole", "sts:*", "sts:TagSession"),
        fc.boolean(),
        (principal, action, conditioned) => {
          const policy = trust({
            Effect: "Allow",
            Principal: principal,
            Action: action,
            ...(conditioned ? { Condition: { StringEquals: { "aws:PrincipalTag/team": "ops" } } } : {}),
          });
          const flagged = trustPolicyFindings(policy, known).some((f) => f.code === "TRUST_ANY_PRINCIPAL");
          const result = evaluate({
            principal: {
              arn: `arn:aws:iam::${ACCOUNT}:user/stranger`,
              accountId: ACCOUNT,
              tags: { team: "ops" },
            },
            action: "sts:AssumeRole",
            resource: ROLE,
            identityPolicies: [],
            resourcePolicy: policy,
            trust: true,
          });
          if (!flagged) assert.notEqual(result.decision, "allow");
          else assert.equal(result.decision, "allow");
        },
      ),
    );
  });
});
