import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { MalformedPolicyDocumentException } from "../../errors/catalog.js";
import { validatePolicy } from "./lint.js";
import { analyzePolicy, formatPath, parsePolicy, policyToDocument } from "./parse.js";
import type { PolicyKind } from "./types.js";

const GET = "secretsmanager:GetSecretValue";

function issuesOf(document: unknown, kind: PolicyKind = "identity") {
  const text = typeof document === "string" ? document : JSON.stringify(document);
  return analyzePolicy(text, { kind }).issues;
}

/** The document fails with this code, at this path, with a message containing `text`. */
function rejects(document: unknown, kind: PolicyKind, code: string, path: string, text: string): void {
  const issues = issuesOf(document, kind);
  const issue = issues.find((i) => i.code === code);
  assert.ok(issue, `expected ${code}, got ${JSON.stringify(issues)}`);
  assert.equal(formatPath(issue.path), path);
  assert.ok(
    issue.message.includes(text),
    `message ${JSON.stringify(issue.message)} lacks ${JSON.stringify(text)}`,
  );
}

const allow = { Effect: "Allow", Action: GET, Resource: "*" };
const doc = (statement: object | object[], extra: object = {}) => ({
  Version: "2012-10-17",
  ...extra,
  Statement: statement,
});
const resourceDoc = (statement: object) => doc({ Principal: { AWS: "123456789012" }, ...statement });

describe("parsePolicy", () => {
  it("normalizes a policy to arrays and keeps its metadata", () => {
    const policy = parsePolicy(JSON.stringify(doc(allow, { Id: "p-1" })), {
      kind: "identity",
      name: "readers",
    });
    assert.deepEqual(policy, {
      kind: "identity",
      name: "readers",
      version: "2012-10-17",
      id: "p-1",
      statements: [{ effect: "Allow", action: [GET], resource: ["*"], conditions: [] }],
    });
    assert.ok(Object.isFrozen(policy) && Object.isFrozen(policy.statements[0]));
  });

  it("accepts string and array forms alike, and Statement as an object or an array", () => {
    const compact = parsePolicy(
      JSON.stringify(doc({ ...allow, Condition: { StringEquals: { "aws:username": "alice" } } })),
      { kind: "identity" },
    );
    const expanded = parsePolicy(
      JSON.stringify(
        doc([
          {
            Effect: "Allow",
            Action: [GET],
            Resource: ["*"],
            Condition: { StringEquals: { "aws:username": ["alice"] } },
          },
        ]),
      ),
      { kind: "identity" },
    );
    assert.deepEqual(compact, expanded);
  });

  it("reads condition values of every JSON scalar type as strings", () => {
    const policy = parsePolicy(
      JSON.stringify(
        doc({
          ...allow,
          Condition: {
            Bool: { "aws:SecureTransport": true },
            NumericLessThan: { "secretsmanager:RecoveryWindowInDays": [7, "8.5"] },
          },
        }),
      ),
      { kind: "identity" },
    );
    assert.deepEqual(
      policy.statements[0]?.conditions.map((c) => [c.operator, c.key, c.values]),
      [
        ["Bool", "aws:SecureTransport", ["true"]],
        ["NumericLessThan", "secretsmanager:RecoveryWindowInDays", [7, 8.5].map(String)],
      ],
    );
  });

  it("canonicalizes condition operators", () => {
    const policy = parsePolicy(
      JSON.stringify(
        doc({
          ...allow,
          Condition: {
            "forallvalues:stringlikeifexists": { "aws:TagKeys": "a*" },
            NULL: { "aws:SourceVpce": "true" },
          },
        }),
      ),
      { kind: "identity" },
    );
    assert.deepEqual(
      policy.statements[0]?.conditions.map((c) => [c.operator, c.base, c.qualifier, c.ifExists]),
      [
        ["ForAllValues:StringLikeIfExists", "StringLike", "ForAllValues", true],
        ["Null", "Null", undefined, false],
      ],
    );
  });

  it("treats a missing Version as the 2008 rules and accepts both versions", () => {
    assert.equal(parsePolicy(JSON.stringify({ Statement: allow }), { kind: "identity" }).version, undefined);
    assert.equal(
      parsePolicy(JSON.stringify(doc(allow, { Version: "2008-10-17" })), { kind: "identity" }).version,
      "2008-10-17",
    );
    rejects(doc(allow, { Version: "2012-10-18" }), "identity", "INVALID_VERSION", "Version", '"2012-10-17"');
  });

  it("parses resource policies with principals", () => {
    const policy = parsePolicy(
      JSON.stringify(
        doc([
          {
            Effect: "Allow",
            Principal: { AWS: ["arn:aws:iam::123456789012:role/app", "210987654321"] },
            Action: GET,
            Resource: "*",
          },
          { Effect: "Deny", NotPrincipal: "*", Action: "secretsmanager:*", Resource: "*" },
          {
            Effect: "Allow",
            Principal: { Service: "lambda.amazonaws.com", AWS: "*" },
            Action: GET,
            Resource: "*",
          },
        ]),
      ),
      { kind: "resource" },
    );
    assert.deepEqual(policy.statements[0]?.principal, {
      AWS: ["arn:aws:iam::123456789012:role/app", "210987654321"],
    });
    assert.equal(policy.statements[1]?.notPrincipal, "*");
    assert.deepEqual(policy.statements[2]?.principal, { Service: ["lambda.amazonaws.com"], AWS: ["*"] });
  });

  it("throws MalformedPolicyDocumentException listing problems with their locations", () => {
    const document = JSON.stringify(
      doc([{ Effect: "allow", Action: "secretsmanager", Resource: "*" }, { Effect: "Deny" }]),
    );
    assert.throws(
      () => parsePolicy(document, { kind: "identity" }),
      (error: unknown) => {
        assert.ok(error instanceof MalformedPolicyDocumentException);
        assert.equal(error.awsName, "MalformedPolicyDocumentException");
        assert.match(
          error.message,
          /^The policy document is malformed\. Statement\[0\]\.Effect: Effect must be "Allow" or "Deny", not "allow" \(values are case-sensitive: write "Allow"\)\./,
        );
        assert.match(error.message, /Statement\[0\]\.Action: "secretsmanager" is not a valid action/);
        assert.match(error.message, /\(1 more problems? not shown\.\)$/);
        return true;
      },
    );
    assert.equal(issuesOf(document).length, 4, "every problem is collected");
  });

  it("reports each kind of malformed document with an actionable message", () => {
    rejects("{not json", "identity", "JSON_SYNTAX_ERROR", "(document)", "not valid JSON");
    rejects("", "identity", "EMPTY_DOCUMENT", "(document)", "empty");
    rejects([allow], "identity", "INVALID_TYPE", "(document)", "must be a JSON object");
    rejects({ Version: "2012-10-17" }, "identity", "MISSING_ELEMENT", "Statement", "no Statement");
    rejects(doc([]), "identity", "EMPTY_ARRAY", "Statement", "at least one statement");
    rejects(
      { Version: "2012-10-17", Statement: "Allow" },
      "identity",
      "INVALID_TYPE",
      "Statement",
      "object or an array",
    );
    rejects(doc([allow, 7]), "identity", "INVALID_TYPE", "Statement[1]", "must be an object");
    rejects(
      { ...doc(allow), Statements: [] },
      "identity",
      "UNKNOWN_ELEMENT",
      "Statements",
      'did you mean "Statement"',
    );
    rejects(
      doc({ ...allow, Actions: GET }),
      "identity",
      "UNKNOWN_ELEMENT",
      "Statement.Actions",
      'did you mean "Action"',
    );
    rejects(
      doc({ Action: GET, Resource: "*" }),
      "identity",
      "MISSING_ELEMENT",
      "Statement.Effect",
      '"Effect": "Allow"',
    );
    rejects(
      doc({ ...allow, Effect: "Permit" }),
      "identity",
      "INVALID_EFFECT",
      "Statement.Effect",
      '"Allow" or "Deny"',
    );
    rejects(
      doc({ ...allow, NotAction: "s3:*" }),
      "identity",
      "CONFLICTING_ELEMENTS",
      "Statement.NotAction",
      "not both",
    );
    rejects(
      doc({ Effect: "Allow", Resource: "*" }),
      "identity",
      "MISSING_ACTION",
      "Statement.Action",
      '"Action": "secretsmanager:GetSecretValue"',
    );
    rejects(
      doc({ Effect: "Allow", Action: GET }),
      "identity",
      "MISSING_RESOURCE",
      "Statement.Resource",
      '"Resource": "*"',
    );
    rejects(
      doc({ Effect: "Allow", Principal: "*", Action: GET }),
      "resource",
      "MISSING_RESOURCE",
      "Statement.Resource",
      "Resource or NotResource",
    );
    rejects(doc({ ...allow, Action: [] }), "identity", "EMPTY_ARRAY", "Statement.Action", "empty array");
    rejects(
      doc({ ...allow, Action: [GET, 5] }),
      "identity",
      "INVALID_TYPE",
      "Statement.Action[1]",
      "must be a string",
    );
    rejects(
      doc({ ...allow, Action: "GetSecretValue" }),
      "identity",
      "INVALID_ACTION",
      "Statement.Action",
      '"service:Action"',
    );
    rejects(
      doc({ ...allow, Resource: "prod/db" }),
      "identity",
      "INVALID_RESOURCE",
      "Statement.Resource",
      "arn:aws:secretsmanager:",
    );
    rejects(
      doc({ ...allow, Resource: ["*", "arn:aws:*:us-east-1:1:secret:x"] }),
      "identity",
      "INVALID_RESOURCE",
      "Statement.Resource[1]",
      "service segment",
    );
    rejects(
      doc({ ...allow, Sid: "read secrets" }),
      "identity",
      "INVALID_SID",
      "Statement.Sid",
      "letters and digits",
    );
    rejects(
      doc([
        { ...allow, Sid: "A" },
        { ...allow, Sid: "A" },
      ]),
      "identity",
      "DUPLICATE_SID",
      "Statement[1].Sid",
      "unique",
    );
    rejects(doc({ ...allow, Sid: 3 }), "identity", "INVALID_TYPE", "Statement.Sid", "string");
    rejects(doc(allow, { Id: 3 }), "identity", "INVALID_TYPE", "Id", "string");
  });

  it("allows free-text and repeated Sids in resource policies", () => {
    const policy = parsePolicy(
      JSON.stringify(
        doc([
          { Sid: "read by app", Principal: "*", ...allow },
          { Sid: "read by app", Principal: "*", ...allow },
        ]),
      ),
      { kind: "resource" },
    );
    assert.equal(policy.statements[0]?.sid, "read by app");
  });

  it("checks principals", () => {
    rejects(
      doc({ ...allow, Principal: "*" }),
      "identity",
      "PRINCIPAL_IN_IDENTITY_POLICY",
      "Statement.Principal",
      "cannot have Principal",
    );
    rejects(
      doc({ ...allow, NotPrincipal: "*" }),
      "identity",
      "PRINCIPAL_IN_IDENTITY_POLICY",
      "Statement.NotPrincipal",
      "cannot have NotPrincipal",
    );
    rejects(doc(allow), "resource", "MISSING_PRINCIPAL", "Statement.Principal", "needs a Principal");
    rejects(
      doc({ ...allow, Principal: "*", NotPrincipal: "*" }),
      "resource",
      "CONFLICTING_ELEMENTS",
      "Statement.NotPrincipal",
      "not both",
    );
    rejects(
      doc({ ...allow, Principal: "arn:aws:iam::123456789012:root" }),
      "resource",
      "INVALID_PRINCIPAL",
      "Statement.Principal",
      '{"AWS":',
    );
    rejects(
      doc({ ...allow, Principal: {} }),
      "resource",
      "INVALID_PRINCIPAL",
      "Statement.Principal",
      "at least one",
    );
    rejects(
      doc({ ...allow, Principal: { AWS: ["123456789012", "arn:aws:iam::123456789012:user/*"] } }),
      "resource",
      "INVALID_PRINCIPAL",
      "Statement.Principal.AWS[1]",
      '{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:user/*"}}',
    );
    rejects(
      doc({ ...allow, Principal: { AWS: "alice" } }),
      "resource",
      "INVALID_PRINCIPAL",
      "Statement.Principal.AWS",
      "12-digit account id",
    );
    rejects(
      doc({ ...allow, Principal: { AWS: "arn:aws:s3:::bucket" } }),
      "resource",
      "INVALID_PRINCIPAL",
      "Statement.Principal.AWS",
      "IAM ARN",
    );
    rejects(
      doc({ ...allow, Principal: { Federated: "cognito-identity.amazonaws.com" } }),
      "resource",
      "UNSUPPORTED_PRINCIPAL_TYPE",
      "Statement.Principal.Federated",
      "not supported",
    );
    rejects(
      doc({ ...allow, Principal: { aws: "*" } }),
      "resource",
      "UNSUPPORTED_PRINCIPAL_TYPE",
      "Statement.Principal.aws",
      'did you mean "AWS"',
    );
    rejects(
      doc({ ...allow, Principal: { Service: "*" } }),
      "resource",
      "INVALID_PRINCIPAL",
      "Statement.Principal.Service",
      "no wildcards",
    );
    for (const ok of [
      "*",
      "123456789012",
      "arn:aws:iam::123456789012:root",
      "arn:aws:sts::123456789012:assumed-role/app/s",
      "arn:aws-cn:iam::123456789012:user/a/b",
    ]) {
      assert.deepEqual(issuesOf(resourceDoc({ ...allow, Principal: { AWS: ok } }), "resource"), [], ok);
    }
  });

  it("checks conditions", () => {
    const withCondition = (condition: unknown) => doc({ ...allow, Condition: condition });
    rejects(withCondition([]), "identity", "INVALID_TYPE", "Statement.Condition", "must be an object");
    rejects(
      withCondition({ StringEqual: { "aws:username": "a" } }),
      "identity",
      "INVALID_CONDITION_OPERATOR",
      "Statement.Condition.StringEqual",
      'did you mean "StringEquals"',
    );
    rejects(
      withCondition({ "ForSomeValues:StringEquals": { "aws:TagKeys": "a" } }),
      "identity",
      "INVALID_CONDITION_OPERATOR",
      'Statement.Condition["ForSomeValues:StringEquals"]',
      '"ForAnyValue:"',
    );
    rejects(
      withCondition({ NullIfExists: { "aws:SourceVpce": "true" } }),
      "identity",
      "INVALID_CONDITION_OPERATOR",
      "Statement.Condition.NullIfExists",
      "no IfExists form",
    );
    rejects(
      withCondition({ "ForAnyValue:Null": { "aws:TagKeys": "true" } }),
      "identity",
      "INVALID_CONDITION_OPERATOR",
      'Statement.Condition["ForAnyValue:Null"]',
      "cannot take",
    );
    rejects(
      withCondition({ StringEquals: { "aws:username": "a" }, stringequals: { "aws:userid": "b" } }),
      "identity",
      "DUPLICATE_CONDITION_OPERATOR",
      "Statement.Condition.stringequals",
      "merge",
    );
    rejects(
      withCondition({ StringEquals: "alice" }),
      "identity",
      "INVALID_TYPE",
      "Statement.Condition.StringEquals",
      "map condition keys",
    );
    rejects(
      withCondition({ StringEquals: { username: "alice" } }),
      "identity",
      "INVALID_CONDITION_KEY",
      "Statement.Condition.StringEquals.username",
      '"aws:SourceIp"',
    );
    rejects(
      withCondition({ StringEquals: { "aws:username": [] } }),
      "identity",
      "EMPTY_ARRAY",
      'Statement.Condition.StringEquals["aws:username"]',
      "at least one value",
    );
    rejects(
      withCondition({ StringEquals: { "aws:username": { name: "a" } } }),
      "identity",
      "INVALID_TYPE",
      'Statement.Condition.StringEquals["aws:username"]',
      "strings, numbers or booleans",
    );
    rejects(
      withCondition({ StringEquals: { "aws:username": ["a", null] } }),
      "identity",
      "INVALID_TYPE",
      'Statement.Condition.StringEquals["aws:username"][1]',
      "not null",
    );
    rejects(
      withCondition({ NumericLessThan: { "secretsmanager:RecoveryWindowInDays": "seven" } }),
      "identity",
      "INVALID_CONDITION_VALUE",
      'Statement.Condition.NumericLessThan["secretsmanager:RecoveryWindowInDays"]',
      "not a number",
    );
    rejects(
      withCondition({ DateLessThan: { "aws:CurrentTime": "tomorrow" } }),
      "identity",
      "INVALID_CONDITION_VALUE",
      'Statement.Condition.DateLessThan["aws:CurrentTime"]',
      "ISO 8601",
    );
    rejects(
      withCondition({ Bool: { "aws:SecureTransport": "yes" } }),
      "identity",
      "INVALID_CONDITION_VALUE",
      'Statement.Condition.Bool["aws:SecureTransport"]',
      '"true" or "false"',
    );
    rejects(
      withCondition({ Null: { "aws:SourceVpce": 1 } }),
      "identity",
      "INVALID_CONDITION_VALUE",
      'Statement.Condition.Null["aws:SourceVpce"]',
      '"true" or "false"',
    );
    rejects(
      withCondition({ IpAddress: { "aws:SourceIp": ["10.0.0.0/8", "10.0.0.0/33"] } }),
      "identity",
      "INVALID_CONDITION_VALUE",
      'Statement.Condition.IpAddress["aws:SourceIp"][1]',
      "CIDR",
    );
    rejects(
      withCondition({ NotIpAddress: { "aws:SourceIp": "2001:db8:::/32" } }),
      "identity",
      "INVALID_CONDITION_VALUE",
      'Statement.Condition.NotIpAddress["aws:SourceIp"]',
      "CIDR",
    );
    rejects(
      withCondition({ BinaryEquals: { "secretsmanager:Description": "not base64!" } }),
      "identity",
      "INVALID_CONDITION_VALUE",
      'Statement.Condition.BinaryEquals["secretsmanager:Description"]',
      "base64",
    );
  });

  it("enforces size and statement limits", () => {
    const statements = (n: number) =>
      Array.from({ length: n }, () => ({ Effect: "Deny", Action: "*", Resource: "*" }));
    rejects(doc(statements(101)), "identity", "TOO_MANY_STATEMENTS", "Statement", "at most 100");
    assert.deepEqual(
      analyzePolicy(JSON.stringify(doc(statements(3))), { kind: "identity", maxStatements: 3 }).issues,
      [],
    );

    const padded = (length: number) => {
      const base = JSON.stringify(resourceDoc({ ...allow, Sid: "" }));
      return base.replace('"Sid":""', `"Sid":"${"x".repeat(length - base.length)}"`);
    };
    assert.equal(padded(20_480).length, 20_480);
    assert.deepEqual(analyzePolicy(padded(20_480), { kind: "resource" }).issues, []);
    rejects(padded(20_481), "resource", "POLICY_TOO_LARGE", "(document)", "at most 20480 characters");

    const spaced = `${" ".repeat(10_000)}${JSON.stringify(doc(allow))}`;
    assert.deepEqual(issuesOf(spaced), [], "whitespace does not count for identity policies");
    const long = JSON.stringify(doc({ ...allow, Sid: "x".repeat(6_200) }));
    rejects(long, "identity", "POLICY_TOO_LARGE", "(document)", "at most 6144 characters");
  });

  it("writes a canonical document that parses back to the same policy", () => {
    const text = JSON.stringify(
      resourceDoc({
        Sid: "Read",
        ...allow,
        Condition: {
          StringEquals: { "aws:PrincipalTag/team": ["a", "b"], "AWS:PrincipalTag/Team": "c" },
          Null: { "aws:SourceVpce": false },
        },
      }),
    );
    const policy = parsePolicy(text, { kind: "resource" });
    const document = policyToDocument(policy);
    assert.deepEqual(document, {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Sid: "Read",
          Principal: { AWS: ["123456789012"] },
          Action: [GET],
          Resource: ["*"],
          Condition: {
            StringEquals: { "aws:PrincipalTag/team": ["a", "b"], "AWS:PrincipalTag/Team": ["c"] },
            Null: { "aws:SourceVpce": ["false"] },
          },
        },
      ],
    });
    assert.deepEqual(parsePolicy(JSON.stringify(document), { kind: "resource" }), policy);
  });

  it("never fails with anything but MalformedPolicyDocumentException, and validation never throws", () => {
    const scalar = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom("*", "Allow", GET),
    );
    const element = fc.oneof(
      scalar,
      fc.array(scalar, { maxLength: 3 }),
      fc.dictionary(fc.constantFrom("AWS", "StringEquals", "aws:username", "x"), scalar),
    );
    const statementLike = fc.dictionary(
      fc.constantFrom(
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
        "Extra",
      ),
      element,
    );
    const documents = fc.oneof(
      fc.string(),
      fc.json(),
      fc
        .record({
          Version: fc.constantFrom("2012-10-17", "2008-10-17", 1),
          Statement: fc.oneof(statementLike, fc.array(statementLike, { maxLength: 3 })),
        })
        .map((d) => JSON.stringify(d)),
    );
    fc.assert(
      fc.property(
        documents,
        fc.constantFrom("identity", "resource") as fc.Arbitrary<PolicyKind>,
        (text, kind) => {
          try {
            parsePolicy(text, { kind });
          } catch (error) {
            assert.ok(error instanceof MalformedPolicyDocumentException, String(error));
            assert.ok(error.message.length > 0);
          }
          const validation = validatePolicy(text, { kind });
          assert.equal(
            validation.valid,
            !validation.findings.some(
              (f) => f.FindingType === "ERROR" || f.FindingType === "SECURITY_WARNING",
            ),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("trust policies' condition keys", () => {
  it("accept an issuer with a path as the key's prefix (EKS, GitLab under a path, Entra ID tenants)", () => {
    for (const issuer of [
      "token.actions.githubusercontent.com",
      "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
      "sts.windows.net/5b9c1a2e-0000-4000-8000-000000000000",
    ]) {
      const policy = parsePolicy(
        JSON.stringify(
          doc({
            Effect: "Allow",
            Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${issuer}` },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: { StringEquals: { [`${issuer}:sub`]: "system:serviceaccount:apps:api" } },
          }),
        ),
        { kind: "resource", trust: true },
      );
      assert.equal(policy.statements[0]?.conditions[0]?.key, `${issuer}:sub`);
    }
  });
});
