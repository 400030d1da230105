// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are written ${key}, not JS templates.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { canonicalAction, SECRETS_MANAGER_ACTIONS } from "./catalog.js";
import {
  coversAllSecrets,
  isSuperUserGrant,
  type PolicyValidation,
  statementActions,
  suggestAction,
  toValidateResourcePolicyResponse,
  unknownActions,
  validatePolicy,
} from "./lint.js";
import { parsePolicy } from "./parse.js";
import type { Statement } from "./types.js";

const GET = "secretsmanager:GetSecretValue";
const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf";

interface Model {
  operations: Record<string, unknown>;
  shapes: Record<string, { members?: Record<string, { shape: string }> }>;
}

const model = JSON.parse(
  readFileSync(
    fileURLToPath(new URL("../../../model/secretsmanager-2017-10-17.json", import.meta.url)),
    "utf8",
  ),
) as Model;

function validate(
  statement: object | object[],
  kind: "identity" | "resource",
  extra: object = {},
): PolicyValidation {
  return validatePolicy(JSON.stringify({ Version: "2012-10-17", ...extra, Statement: statement }), { kind });
}

function codes(validation: PolicyValidation): string[] {
  return validation.findings.map((f) => `${f.FindingType}:${f.IssueCode}`);
}

function statement(json: object, kind: "identity" | "resource" = "identity"): Statement {
  const policy = parsePolicy(JSON.stringify({ Version: "2012-10-17", Statement: json }), { kind });
  return policy.statements[0] as Statement;
}

describe("catalog", () => {
  it("lists exactly the operations of the service model as actions", () => {
    const fromModel = Object.keys(model.operations)
      .map((op) => `secretsmanager:${op}`)
      .sort();
    assert.deepEqual([...SECRETS_MANAGER_ACTIONS].sort(), fromModel);
    assert.equal(SECRETS_MANAGER_ACTIONS.length, 23);
    assert.equal(canonicalAction("SECRETSMANAGER:listsecrets"), "secretsmanager:ListSecrets");
  });
});

describe("lint helpers", () => {
  it("statementActions / unknownActions / suggestAction", () => {
    assert.deepEqual(
      statementActions(statement({ Effect: "Allow", Action: "secretsmanager:Get*", Resource: "*" })),
      [
        "secretsmanager:GetRandomPassword",
        "secretsmanager:GetResourcePolicy",
        "secretsmanager:GetSecretValue",
      ],
    );
    assert.equal(
      statementActions(statement({ Effect: "Allow", NotAction: "secretsmanager:Get*", Resource: "*" }))
        .length,
      20,
    );
    assert.deepEqual(
      unknownActions(
        statement({
          Effect: "Allow",
          Action: ["secretsmanager:GetSecretValues", "secretsmanager:Frob*", "s3:Get*", GET],
          Resource: "*",
        }),
      ),
      ["secretsmanager:GetSecretValues", "secretsmanager:Frob*"],
    );
    assert.equal(suggestAction("secretsmanager:GetSecretValues"), GET);
    assert.equal(suggestAction("secretsmanager:getsecretvalue"), GET);
    assert.equal(suggestAction("secretsmanager:Launch"), undefined);
  });

  it("isSuperUserGrant: every action on every secret, unconditioned", () => {
    assert.equal(
      isSuperUserGrant(statement({ Effect: "Allow", Action: "secretsmanager:*", Resource: "*" })),
      true,
    );
    assert.equal(
      isSuperUserGrant(
        statement({ Effect: "Allow", Action: "*", Resource: "arn:aws:secretsmanager:*:*:secret:*" }),
      ),
      true,
    );
    assert.equal(isSuperUserGrant(statement({ Effect: "Allow", NotAction: "s3:*", Resource: "*" })), true);
    assert.equal(
      isSuperUserGrant(statement({ Effect: "Allow", Action: "secretsmanager:*", NotResource: SECRET })),
      true,
    );
    assert.equal(
      isSuperUserGrant(statement({ Effect: "Allow", Action: "secretsmanager:Get*", Resource: "*" })),
      false,
    );
    assert.equal(
      isSuperUserGrant(
        statement({
          Effect: "Allow",
          Action: "secretsmanager:*",
          Resource: "arn:aws:secretsmanager:*:*:secret:prod/*",
        }),
      ),
      false,
    );
    assert.equal(
      isSuperUserGrant(statement({ Effect: "Deny", Action: "secretsmanager:*", Resource: "*" })),
      false,
    );
    assert.equal(
      isSuperUserGrant(
        statement({
          Effect: "Allow",
          Action: "secretsmanager:*",
          Resource: "*",
          Condition: { Bool: { "aws:MultiFactorAuthPresent": true } },
        }),
      ),
      false,
    );
    assert.equal(
      coversAllSecrets(statement({ Effect: "Allow", Action: "*", Resource: "arn:aws:secretsmanager:*" })),
      true,
    );
  });
});

describe("validatePolicy", () => {
  it("passes a tidy policy without findings", () => {
    const result = validate(
      { Effect: "Allow", Action: GET, Resource: "arn:aws:secretsmanager:*:*:secret:prod/*" },
      "identity",
    );
    assert.deepEqual(result.findings, []);
    assert.equal(result.valid, true);
    assert.ok(result.policy);
  });

  it("turns parse problems into ERROR findings with locations", () => {
    const result = validate({ Effect: "Allow", Principal: "*", Action: GET, Resource: "*" }, "identity");
    assert.equal(result.valid, false);
    assert.deepEqual(result.findings, [
      {
        FindingId: "PRINCIPAL_IN_IDENTITY_POLICY@Statement.Principal",
        FindingType: "ERROR",
        IssueCode: "PRINCIPAL_IN_IDENTITY_POLICY",
        Message:
          "An identity policy applies to the identity it is attached to and cannot have Principal; remove it, or use a resource policy to grant to other principals.",
        Locations: [{ Path: [{ Key: "Statement" }, { Key: "Principal" }] }],
      },
    ]);
    assert.deepEqual(codes(validatePolicy("nope", { kind: "resource" })), ["ERROR:JSON_SYNTAX_ERROR"]);
  });

  it("reports unknown Secrets Manager actions with a suggestion", () => {
    const result = validate(
      [
        {
          Effect: "Allow",
          Action: ["secretsmanager:GetSecretValu", "secretsmanager:Describe*", "secretsmanager:Nope*"],
          Resource: "*",
        },
      ],
      "identity",
    );
    assert.deepEqual(codes(result), ["ERROR:UNKNOWN_ACTION", "ERROR:UNKNOWN_ACTION"]);
    assert.equal(
      result.findings[0]?.Message,
      '"secretsmanager:GetSecretValu" is not a Secrets Manager action; did you mean "secretsmanager:GetSecretValue"?',
    );
    assert.deepEqual(result.findings[0]?.Locations, [
      { Path: [{ Key: "Statement" }, { Index: 0 }, { Key: "Action" }, { Index: 0 }] },
    ]);
    assert.equal(result.findings[1]?.Message, '"secretsmanager:Nope*" matches no Secrets Manager action.');
    assert.equal(result.valid, false);
  });

  it("flags a super-user grant (security warning in identity policies)", () => {
    const result = validate({ Effect: "Allow", Action: "secretsmanager:*", Resource: "*" }, "identity");
    assert.deepEqual(codes(result), ["SECURITY_WARNING:SUPER_USER_GRANT"]);
    assert.equal(result.valid, false);
    const inResource = validate(
      {
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::123456789012:role/admin" },
        Action: "secretsmanager:*",
        Resource: "*",
      },
      "resource",
    );
    assert.deepEqual(codes(inResource), ["WARNING:SUPER_USER_GRANT"]);
    assert.equal(inResource.valid, true);
  });

  it("flags public resource policies", () => {
    const result = validate(
      { Effect: "Allow", Principal: { AWS: "*" }, Action: GET, Resource: "*" },
      "resource",
    );
    assert.deepEqual(codes(result), ["SECURITY_WARNING:PUBLIC_ACCESS"]);
    assert.equal(result.valid, false);
    const conditioned = validate(
      {
        Effect: "Allow",
        Principal: "*",
        Action: GET,
        Resource: "*",
        Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc" } },
      },
      "resource",
    );
    assert.deepEqual(codes(conditioned), []);
  });

  it("flags NotPrincipal/NotAction allows, foreign actions and resources, missing suffixes", () => {
    assert.deepEqual(
      codes(
        validate(
          { Effect: "Allow", NotPrincipal: { AWS: "123456789012" }, Action: GET, Resource: "*" },
          "resource",
        ),
      ),
      ["SECURITY_WARNING:PUBLIC_ACCESS", "WARNING:ALLOW_WITH_NOT_PRINCIPAL"],
    );
    assert.deepEqual(
      codes(validate({ Effect: "Allow", NotAction: "secretsmanager:Delete*", Resource: SECRET }, "identity")),
      ["WARNING:ALLOW_WITH_NOT_ACTION"],
    );
    assert.deepEqual(
      codes(validate({ Effect: "Allow", Action: ["s3:GetObject", GET], Resource: "*" }, "identity")),
      ["WARNING:ACTION_NOT_FOR_SECRETS"],
    );
    assert.deepEqual(
      codes(validate({ Effect: "Allow", Action: GET, Resource: "arn:aws:s3:::bucket/*" }, "identity")),
      ["WARNING:RESOURCE_NOT_A_SECRET"],
    );
    const noSuffix = validate(
      {
        Effect: "Allow",
        Action: GET,
        Resource: "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db",
      },
      "identity",
    );
    assert.deepEqual(codes(noSuffix), ["WARNING:SECRET_ARN_WITHOUT_SUFFIX"]);
    assert.match(
      noSuffix.findings[0]?.Message ?? "",
      /write "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod\/db-\?\?\?\?\?\?"/,
    );
    assert.deepEqual(codes(validate({ Effect: "Allow", Action: GET, Resource: SECRET }, "identity")), []);
    assert.deepEqual(
      codes(
        validate(
          { Effect: "Allow", Action: ["secretsmanager:ListSecrets", GET], Resource: SECRET },
          "identity",
        ),
      ),
      ["WARNING:ACCOUNT_LEVEL_ACTION_ON_ARN"],
    );
  });

  it("flags condition keys, set qualifiers and variables that do not do what they seem to", () => {
    const condition = (Condition: object, extra: object = {}) =>
      codes(validate({ Effect: "Allow", Action: GET, Resource: "*", Condition }, "identity", extra));
    assert.deepEqual(condition({ StringEquals: { "aws:SourceIP": "x", "aws:Sourceip2": "y" } }), [
      "WARNING:UNKNOWN_CONDITION_KEY",
    ]);
    assert.deepEqual(
      condition({ StringEquals: { "aws:PrincipalTag/team": "x", "secretsmanager:ResourceTag/env": "prod" } }),
      [],
    );
    assert.deepEqual(condition({ "ForAllValues:StringEquals": { "aws:PrincipalTag/team": "x" } }), [
      "SECURITY_WARNING:FOR_ALL_VALUES_SINGLE_VALUED",
    ]);
    assert.deepEqual(condition({ "ForAnyValue:StringEquals": { "aws:username": "x" } }), [
      "SUGGESTION:FOR_ANY_VALUE_SINGLE_VALUED",
    ]);
    assert.deepEqual(condition({ "ForAllValues:StringEquals": { "aws:TagKeys": "x" } }), []);
    assert.deepEqual(
      condition({ StringEquals: { "secretsmanager:Name": "${aws:username}" } }, { Version: "2008-10-17" }),
      ["WARNING:POLICY_VARIABLE_IN_OLD_VERSION"],
    );
  });

  it("suggests a Version and flags redundant actions and repeated Sids", () => {
    const result = validatePolicy(
      JSON.stringify({
        Statement: {
          Effect: "Allow",
          Action: ["secretsmanager:Get*", GET, "secretsmanager:get*"],
          Resource: SECRET,
        },
      }),
      {
        kind: "identity",
      },
    );
    assert.deepEqual(codes(result), [
      "SUGGESTION:MISSING_VERSION",
      "SUGGESTION:REDUNDANT_ACTION",
      "SUGGESTION:REDUNDANT_ACTION",
    ]);
    assert.equal(result.valid, true, "suggestions do not fail validation");
    assert.deepEqual(result.findings[1]?.Locations, [
      { Path: [{ Key: "Statement" }, { Key: "Action" }, { Index: 1 }] },
    ]);
    const sids = validate(
      [
        { Sid: "Read", Effect: "Allow", Principal: { AWS: "123456789012" }, Action: GET, Resource: "*" },
        {
          Sid: "Read",
          Effect: "Allow",
          Principal: { AWS: "123456789012" },
          Action: "secretsmanager:DescribeSecret",
          Resource: "*",
        },
      ],
      "resource",
    );
    assert.deepEqual(codes(sids), ["WARNING:DUPLICATE_SID"]);
  });

  it("refuses resource policies that lock everyone, or the caller, out", () => {
    const lockout = validate(
      { Effect: "Deny", Principal: "*", Action: "secretsmanager:*ResourcePolicy", Resource: "*" },
      "resource",
    );
    assert.deepEqual(codes(lockout), ["ERROR:LOCKOUT"]);
    const guarded = validate(
      {
        Effect: "Deny",
        Principal: "*",
        Action: "secretsmanager:PutResourcePolicy",
        Resource: "*",
        Condition: { StringNotEquals: { "aws:PrincipalArn": "arn:aws:iam::123456789012:role/admin" } },
      },
      "resource",
    );
    assert.deepEqual(codes(guarded), []);
    const caller = { arn: "arn:aws:iam::123456789012:user/alice", accountId: "123456789012" };
    const self = validatePolicy(
      JSON.stringify({
        Version: "2012-10-17",
        Statement: {
          Effect: "Deny",
          Principal: { AWS: caller.arn },
          Action: "secretsmanager:Put*",
          Resource: "*",
        },
      }),
      { kind: "resource", caller, secretArn: SECRET },
    );
    assert.deepEqual(codes(self), ["ERROR:LOCKS_OUT_CALLER"]);
  });

  it("maps to the model's ValidateResourcePolicyResponse shape", () => {
    const members = (shape: string) => Object.keys(model.shapes[shape]?.members ?? {}).sort();
    assert.deepEqual(members("ValidateResourcePolicyResponse"), [
      "PolicyValidationPassed",
      "ValidationErrors",
    ]);
    assert.deepEqual(members("ValidationErrorsEntry"), ["CheckName", "ErrorMessage"]);

    const failing = toValidateResourcePolicyResponse(
      validate(
        {
          Effect: "Allow",
          Principal: "*",
          Action: ["secretsmanager:GetSecretValu", "s3:GetObject"],
          Resource: "*",
        },
        "resource",
      ),
    );
    assert.deepEqual(failing, {
      PolicyValidationPassed: false,
      ValidationErrors: [
        {
          CheckName: "UNKNOWN_ACTION",
          ErrorMessage:
            'Statement.Action[0]: "secretsmanager:GetSecretValu" is not a Secrets Manager action; did you mean "secretsmanager:GetSecretValue"?',
        },
        {
          CheckName: "PUBLIC_ACCESS",
          ErrorMessage:
            "Statement: This statement allows access to everyone. Name the principals, or add a condition on aws:PrincipalAccount, aws:PrincipalOrgID, aws:PrincipalArn, aws:SourceVpce or aws:SourceIp.",
        },
      ],
    });
    for (const entry of failing.ValidationErrors)
      assert.ok(entry.CheckName.length >= 1 && entry.CheckName.length <= 512);
    assert.deepEqual(
      toValidateResourcePolicyResponse(
        validate(
          { Effect: "Allow", Principal: { AWS: "123456789012" }, Action: GET, Resource: "*" },
          "resource",
        ),
      ),
      {
        PolicyValidationPassed: true,
        ValidationErrors: [],
      },
    );
    assert.deepEqual(
      toValidateResourcePolicyResponse(validatePolicy("{", { kind: "resource" })).ValidationErrors.map(
        (e) => e.CheckName,
      ),
      ["JSON_SYNTAX_ERROR"],
    );
  });
});
