// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are written ${key}, not JS templates.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PublicPolicyException } from "../../errors/catalog.js";
import { parsePolicy } from "./parse.js";
import { assertNotPublic, isPublicPolicy } from "./public.js";

const GET = "secretsmanager:GetSecretValue";

function isPublic(statement: object): boolean {
  const document = { Version: "2012-10-17", Statement: { Action: GET, Resource: "*", ...statement } };
  return isPublicPolicy(parsePolicy(JSON.stringify(document), { kind: "resource" }));
}

const everyone = { Effect: "Allow", Principal: "*" };

describe("isPublicPolicy", () => {
  it("flags unconditioned grants to everyone", () => {
    assert.equal(isPublic(everyone), true);
    assert.equal(isPublic({ Effect: "Allow", Principal: { AWS: "*" } }), true);
    assert.equal(isPublic({ Effect: "Allow", Principal: { AWS: ["123456789012", "*"] } }), true);
    assert.equal(
      isPublic({ Effect: "Allow", NotPrincipal: { AWS: "123456789012" } }),
      true,
      "Allow + NotPrincipal",
    );
  });

  it("does not flag named principals or Deny statements", () => {
    assert.equal(isPublic({ Effect: "Allow", Principal: { AWS: "123456789012" } }), false);
    assert.equal(
      isPublic({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:role/app" } }),
      false,
    );
    assert.equal(isPublic({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" } }), false);
    assert.equal(isPublic({ Effect: "Deny", Principal: "*" }), false);
  });

  it("credits conditions that pin callers or networks to fixed values", () => {
    const restricted = (Condition: object) => isPublic({ ...everyone, Condition });
    assert.equal(restricted({ StringEquals: { "aws:PrincipalAccount": "123456789012" } }), false);
    assert.equal(
      restricted({ StringEquals: { "aws:SourceAccount": ["123456789012", "210987654321"] } }),
      false,
    );
    assert.equal(restricted({ StringEquals: { "aws:PrincipalOrgID": "o-abc123" } }), false);
    assert.equal(restricted({ StringEquals: { "aws:SourceVpce": "vpce-1a2b3c" } }), false);
    assert.equal(restricted({ ArnLike: { "aws:PrincipalArn": "arn:aws:iam::123456789012:role/*" } }), false);
    assert.equal(
      restricted({ ArnEquals: { "aws:SourceArn": "arn:aws:lambda:us-east-1:123456789012:function:f" } }),
      false,
    );
    assert.equal(restricted({ IpAddress: { "aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"] } }), false);
    assert.equal(
      restricted({ "ForAnyValue:StringEquals": { "aws:PrincipalAccount": "123456789012" } }),
      false,
      "ForAnyValue is false on a missing key",
    );
    assert.equal(
      restricted({
        StringLike: { "secretsmanager:Name": "*" },
        StringEquals: { "aws:PrincipalAccount": "123456789012" },
      }),
      false,
      "one restricting clause suffices",
    );
  });

  it("does not credit conditions that leave the door open", () => {
    const restricted = (Condition: object) => isPublic({ ...everyone, Condition });
    assert.equal(restricted({ StringLike: { "aws:PrincipalAccount": "1234*" } }), true, "wildcard account");
    assert.equal(
      restricted({ StringEqualsIfExists: { "aws:PrincipalAccount": "123456789012" } }),
      true,
      "IfExists",
    );
    assert.equal(
      restricted({ "ForAllValues:StringEquals": { "aws:PrincipalAccount": "123456789012" } }),
      true,
      "ForAllValues",
    );
    assert.equal(
      restricted({ StringNotEquals: { "aws:PrincipalAccount": "123456789012" } }),
      true,
      "negated",
    );
    assert.equal(
      restricted({ ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/admin" } }),
      true,
      "any account",
    );
    assert.equal(restricted({ StringLike: { "aws:PrincipalOrgID": "o-*" } }), true);
    assert.equal(restricted({ IpAddress: { "aws:SourceIp": "0.0.0.0/0" } }), true, "every IPv4 address");
    assert.equal(
      restricted({ IpAddress: { "aws:SourceIp": ["10.0.0.0/8", "0.0.0.0/1"] } }),
      true,
      "one wide block",
    );
    assert.equal(restricted({ IpAddress: { "aws:SourceIp": "2000::/3" } }), true);
    assert.equal(restricted({ NotIpAddress: { "aws:SourceIp": "10.0.0.0/8" } }), true);
    assert.equal(
      restricted({ StringEquals: { "aws:username": "alice" } }),
      true,
      "user names are not unique across accounts",
    );
    assert.equal(restricted({ Bool: { "aws:SecureTransport": true } }), true);
    assert.equal(restricted({ StringEquals: { "aws:PrincipalAccount": "${aws:username}" } }), true);
  });

  it("identity policies are never public", () => {
    const policy = parsePolicy(
      JSON.stringify({ Statement: { Effect: "Allow", Action: "*", Resource: "*" } }),
      { kind: "identity" },
    );
    assert.equal(isPublicPolicy(policy), false);
  });

  it("assertNotPublic throws PublicPolicyException naming the statement", () => {
    const document = (statements: object[]) =>
      JSON.stringify({ Version: "2012-10-17", Statement: statements });
    const named = { Effect: "Allow", Principal: { AWS: "123456789012" }, Action: GET, Resource: "*" };
    assert.doesNotThrow(() => assertNotPublic(parsePolicy(document([named]), { kind: "resource" })));
    assert.throws(
      () =>
        assertNotPublic(parsePolicy(document([named, { ...named, Principal: "*" }]), { kind: "resource" })),
      (error: unknown) =>
        error instanceof PublicPolicyException &&
        error.awsName === "PublicPolicyException" &&
        error.message.startsWith("The BlockPublicPolicy parameter is set to true") &&
        error.message.includes("Statement[1] allows everyone"),
    );
  });
});
