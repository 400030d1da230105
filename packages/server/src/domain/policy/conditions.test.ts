// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are written ${key}, not JS templates.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluate, type RequestContextValues } from "./evaluate.js";
import { parsePolicy } from "./parse.js";
import { parseDate } from "./values.js";

const alice = {
  arn: "arn:aws:iam::123456789012:user/alice",
  accountId: "123456789012",
  tags: { team: "payments" },
};

/** Does an Allow-everything statement with this Condition block grant, given the context? */
function holds(condition: object, context: RequestContextValues = {}, version = "2012-10-17"): boolean {
  const document = {
    Version: version,
    Statement: { Effect: "Allow", Action: "*", Resource: "*", Condition: condition },
  };
  const policy = parsePolicy(JSON.stringify(document), { kind: "identity" });
  const result = evaluate({
    principal: alice,
    action: "secretsmanager:GetSecretValue",
    resource: "*",
    context,
    identityPolicies: [policy],
  });
  return result.decision === "allow";
}

type Row = [context: RequestContextValues, expected: boolean, label?: string];

function table(condition: object, rows: Row[], version?: string): void {
  for (const [context, expected, label] of rows) {
    assert.equal(
      holds(condition, context, version),
      expected,
      `${JSON.stringify(condition)} with ${JSON.stringify(context)}${label ? ` (${label})` : ""}`,
    );
  }
}

const missing: RequestContextValues = {};
const NAME = "secretsmanager:Name";

describe("condition operators", () => {
  it("StringEquals / StringNotEquals (exact, case-sensitive; values OR, negation NOR)", () => {
    table({ StringEquals: { [NAME]: "prod" } }, [
      [{ [NAME]: "prod" }, true],
      [{ [NAME]: "Prod" }, false],
      [{ [NAME]: "prod2" }, false],
      [missing, false, "missing key: positive operator is false"],
      [{ [NAME]: [] }, false, "empty set counts as missing"],
      [{ [NAME]: undefined }, false],
    ]);
    table({ StringNotEquals: { [NAME]: "prod" } }, [
      [{ [NAME]: "prod" }, false],
      [{ [NAME]: "dev" }, true],
      [missing, true, "missing key: negated operator is true"],
    ]);
    table({ StringEquals: { [NAME]: ["a", "b"] } }, [
      [{ [NAME]: "b" }, true],
      [{ [NAME]: "c" }, false],
    ]);
    table({ StringNotEquals: { [NAME]: ["a", "b"] } }, [
      [{ [NAME]: "b" }, false],
      [{ [NAME]: "c" }, true],
    ]);
  });

  it("StringEqualsIgnoreCase / StringNotEqualsIgnoreCase", () => {
    table({ StringEqualsIgnoreCase: { [NAME]: "Prod" } }, [
      [{ [NAME]: "PROD" }, true],
      [{ [NAME]: "prod" }, true],
      [{ [NAME]: "dev" }, false],
      [missing, false],
    ]);
    table({ StringNotEqualsIgnoreCase: { [NAME]: "Prod" } }, [
      [{ [NAME]: "PROD" }, false],
      [{ [NAME]: "dev" }, true],
      [missing, true],
    ]);
  });

  it("StringLike / StringNotLike (wildcards, case-sensitive)", () => {
    table({ StringLike: { [NAME]: ["prod/*", "stage/??"] } }, [
      [{ [NAME]: "prod/db" }, true],
      [{ [NAME]: "stage/db" }, true],
      [{ [NAME]: "stage/dbx" }, false],
      [{ [NAME]: "Prod/db" }, false],
      [missing, false],
    ]);
    table({ StringNotLike: { [NAME]: "prod/*" } }, [
      [{ [NAME]: "prod/db" }, false],
      [{ [NAME]: "dev/db" }, true],
      [missing, true],
    ]);
  });

  it("…IfExists: true when the key is absent, the operator otherwise", () => {
    table({ StringEqualsIfExists: { [NAME]: "prod" } }, [
      [missing, true],
      [{ [NAME]: "prod" }, true],
      [{ [NAME]: "dev" }, false],
    ]);
    table({ StringNotEqualsIfExists: { [NAME]: "prod" } }, [
      [missing, true],
      [{ [NAME]: "prod" }, false],
    ]);
    table({ NumericLessThanIfExists: { "secretsmanager:RecoveryWindowInDays": 10 } }, [
      [missing, true],
      [{ "secretsmanager:RecoveryWindowInDays": "30" }, false],
    ]);
    table({ BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } }, [
      [missing, true],
      [{ "aws:MultiFactorAuthPresent": "false" }, false],
    ]);
    table({ IpAddressIfExists: { "aws:SourceIp": "10.0.0.0/8" } }, [
      [missing, true],
      [{ "aws:SourceIp": "11.0.0.1" }, false],
    ]);
    table({ ArnLikeIfExists: { "aws:SourceArn": "arn:aws:lambda:*:123456789012:function:*" } }, [
      [missing, true],
    ]);
    table({ DateLessThanIfExists: { "aws:CurrentTime": "2025-01-01T00:00:00Z" } }, [[missing, true]]);
  });

  it("Numeric operators", () => {
    const key = "secretsmanager:RecoveryWindowInDays";
    table({ NumericEquals: { [key]: 10 } }, [
      [{ [key]: "10" }, true],
      [{ [key]: "10.0" }, true],
      [{ [key]: "1e1" }, true],
      [{ [key]: "11" }, false],
      [{ [key]: "ten" }, false, "unparsable request value matches nothing"],
      [missing, false],
    ]);
    table({ NumericNotEquals: { [key]: "10" } }, [
      [{ [key]: "10" }, false],
      [{ [key]: "11" }, true],
      [missing, true],
    ]);
    table({ NumericLessThan: { [key]: 10 } }, [
      [{ [key]: "7" }, true],
      [{ [key]: "10" }, false],
      [missing, false],
    ]);
    table({ NumericLessThanEquals: { [key]: 10 } }, [
      [{ [key]: "10" }, true],
      [{ [key]: "10.5" }, false],
    ]);
    table({ NumericGreaterThan: { [key]: 10 } }, [
      [{ [key]: "10" }, false],
      [{ [key]: "30" }, true],
    ]);
    table({ NumericGreaterThanEquals: { [key]: -1.5 } }, [
      [{ [key]: "-1.5" }, true],
      [{ [key]: "-2" }, false],
    ]);
  });

  it("Date operators (ISO 8601 and epoch seconds, both sides)", () => {
    const now = "aws:CurrentTime";
    table({ DateLessThan: { [now]: "2025-01-01T00:00:00Z" } }, [
      [{ [now]: "2024-12-31T23:59:59Z" }, true],
      [{ [now]: "2025-01-01T00:00:00Z" }, false],
      [{ [now]: "1735689599" }, true, "epoch seconds"],
      [{ [now]: "2025-01-01T01:00:00+02:00" }, true, "offset: 2024-12-31T23:00Z"],
      [{ [now]: "2024-12-31" }, true, "date only = midnight UTC"],
      [{ [now]: "yesterday" }, false, "unparsable"],
      [missing, false],
    ]);
    table({ DateEquals: { "aws:EpochTime": 1735689600 } }, [
      [{ "aws:EpochTime": "2025-01-01T00:00:00Z" }, true],
      [{ "aws:EpochTime": "2025-01-01T00:00:00.000Z" }, true],
      [{ "aws:EpochTime": "1735689601" }, false],
    ]);
    table({ DateNotEquals: { [now]: "2025-01-01" } }, [
      [{ [now]: "2025-01-01T00:00:00Z" }, false],
      [{ [now]: "2025-01-02" }, true],
      [missing, true],
    ]);
    table({ DateLessThanEquals: { [now]: "2025-01-01T00:00:00Z" } }, [
      [{ [now]: "2025-01-01T00:00:00Z" }, true],
    ]);
    table({ DateGreaterThan: { [now]: "2025-01-01T00:00:00Z" } }, [
      [{ [now]: "2025-01-01T00:00:00.001Z" }, true],
      [{ [now]: "2025-01-01T00:00:00Z" }, false],
    ]);
    table({ DateGreaterThanEquals: { [now]: "2025-01-01T00:00:00Z" } }, [
      [{ [now]: "2025-01-01T00:00:00Z" }, true],
    ]);
  });

  it("parses the date forms IAM accepts", () => {
    assert.equal(parseDate("2025-01-01T00:00:00Z"), Date.UTC(2025, 0, 1));
    assert.equal(parseDate("2025-01-01"), Date.UTC(2025, 0, 1));
    assert.equal(parseDate("2025-01-01T05:30:00+05:30"), Date.UTC(2025, 0, 1));
    assert.equal(parseDate("2025-01-01T00:00:00.250Z"), Date.UTC(2025, 0, 1) + 250);
    assert.equal(parseDate("2025-01-01T00:00"), Date.UTC(2025, 0, 1), "no zone: UTC");
    assert.equal(parseDate("1735689600"), Date.UTC(2025, 0, 1));
    assert.ok(Number.isNaN(parseDate("2023-02-30")));
    assert.ok(Number.isNaN(parseDate("2025-13-01")));
    assert.ok(Number.isNaN(parseDate("Jan 1 2025")));
  });

  it("Bool and BinaryEquals", () => {
    table({ Bool: { "aws:SecureTransport": true } }, [
      [{ "aws:SecureTransport": "true" }, true],
      [{ "aws:SecureTransport": "TRUE" }, true],
      [{ "aws:SecureTransport": "false" }, false],
      [missing, false],
    ]);
    table({ BinaryEquals: { "secretsmanager:Description": "QmluYXJ5" } }, [
      [{ "secretsmanager:Description": "QmluYXJ5" }, true],
      [{ "secretsmanager:Description": "QmluYXJz" }, false],
    ]);
  });

  it("Null checks presence", () => {
    table({ Null: { "aws:SourceVpce": "true" } }, [
      [missing, true],
      [{ "aws:SourceVpce": [] }, true, "empty set is absent"],
      [{ "aws:SourceVpce": "vpce-1" }, false],
      [{ "aws:SourceVpce": "" }, false, "an empty string is a value"],
    ]);
    table({ Null: { "aws:SourceVpce": false } }, [
      [missing, false],
      [{ "aws:SourceVpce": "vpce-1" }, true],
    ]);
    table({ Null: { "aws:SourceVpce": ["true", "false"] } }, [
      [missing, true],
      [{ "aws:SourceVpce": "vpce-1" }, true],
    ]);
  });

  it("IpAddress / NotIpAddress with IPv4 and IPv6 CIDRs", () => {
    const ip = "aws:SourceIp";
    table({ IpAddress: { [ip]: ["203.0.113.0/24", "2001:db8::/32", "192.0.2.7"] } }, [
      [{ [ip]: "203.0.113.7" }, true],
      [{ [ip]: "203.0.113.255" }, true],
      [{ [ip]: "203.0.114.1" }, false],
      [{ [ip]: "192.0.2.7" }, true, "a bare address is a /32"],
      [{ [ip]: "192.0.2.8" }, false],
      [{ [ip]: "2001:db8::1" }, true],
      [{ [ip]: "2001:0db8:ffff:ffff:ffff:ffff:ffff:ffff" }, true],
      [{ [ip]: "2001:db9::1" }, false],
      [{ [ip]: "::ffff:203.0.113.9" }, true, "IPv4-mapped IPv6 matches the IPv4 block"],
      [{ [ip]: "fe80::1%eth0" }, false],
      [{ [ip]: "not-an-ip" }, false],
      [{ [ip]: "203.0.113.07" }, false, "leading zeros are ambiguous"],
      [missing, false],
    ]);
    table({ NotIpAddress: { [ip]: "10.0.0.0/8" } }, [
      [{ [ip]: "10.1.2.3" }, false],
      [{ [ip]: "11.0.0.1" }, true],
      [{ [ip]: "::1" }, true, "other family: not in the block"],
      [missing, true],
    ]);
    table({ IpAddress: { [ip]: "2001:db8:1::1/48" } }, [
      [{ [ip]: "2001:db8:1:ffff::2" }, true, "host bits of the block are masked off"],
      [{ [ip]: "2001:db8:2::1" }, false],
    ]);
    table({ IpAddress: { [ip]: ["0.0.0.0/0"] } }, [
      [{ [ip]: "8.8.8.8" }, true],
      [{ [ip]: "::ffff:8.8.8.8" }, true],
      [{ [ip]: "2001:db8::1" }, false],
    ]);
    table({ IpAddress: { [ip]: "::/0" } }, [[{ [ip]: "2001:db8::1" }, true]]);
    table({ IpAddress: { [ip]: "::ffff:0:0/96" } }, [[{ [ip]: "::ffff:1.2.3.4" }, true]]);
    table({ IpAddress: { [ip]: "64:ff9b::192.0.2.0/120" } }, [
      [{ [ip]: "64:ff9b::c000:2ff" }, true],
      [{ [ip]: "64:ff9b::c000:3ff" }, false],
    ]);
  });

  it("Arn operators (componentwise wildcards, case-sensitive)", () => {
    const key = "aws:SourceArn";
    for (const operator of ["ArnLike", "ArnEquals"]) {
      table({ [operator]: { [key]: "arn:aws:lambda:*:123456789012:function:rotate-*" } }, [
        [{ [key]: "arn:aws:lambda:us-east-1:123456789012:function:rotate-db" }, true],
        [{ [key]: "arn:aws:lambda:us-east-1:123456789012:function:Rotate-db" }, false],
        [{ [key]: "arn:aws:lambda:us-east-1:999999999999:function:rotate-db" }, false],
        [missing, false],
      ]);
    }
    for (const operator of ["ArnNotLike", "ArnNotEquals"]) {
      table({ [operator]: { [key]: "arn:aws:lambda:*:123456789012:function:*" } }, [
        [{ [key]: "arn:aws:lambda:us-east-1:123456789012:function:x" }, false],
        [{ [key]: "arn:aws:lambda:us-east-1:999999999999:function:x" }, true],
        [missing, true],
      ]);
    }
  });

  it("ForAnyValue / ForAllValues on present, missing and empty sets", () => {
    const tags = "aws:TagKeys";
    table({ "ForAnyValue:StringEquals": { [tags]: ["a", "b"] } }, [
      [{ [tags]: ["a", "c"] }, true],
      [{ [tags]: ["c"] }, false],
      [{ [tags]: [] }, false, "empty set: ForAnyValue is false"],
      [missing, false, "missing: ForAnyValue is false"],
    ]);
    table({ "ForAllValues:StringEquals": { [tags]: ["a", "b"] } }, [
      [{ [tags]: ["a", "b"] }, true],
      [{ [tags]: ["a"] }, true],
      [{ [tags]: ["a", "c"] }, false],
      [{ [tags]: [] }, true, "empty set: ForAllValues is true"],
      [missing, true, "missing: ForAllValues is true"],
    ]);
    table({ "ForAllValues:StringNotEquals": { [tags]: "a" } }, [
      [{ [tags]: ["b", "c"] }, true],
      [{ [tags]: ["a", "b"] }, false],
      [missing, true],
    ]);
    table({ "ForAnyValue:StringNotEquals": { [tags]: "a" } }, [
      [{ [tags]: ["a", "b"] }, true],
      [{ [tags]: ["a"] }, false],
      [missing, false, "missing: ForAnyValue is false even when negated"],
    ]);
    // AWS's documented example: Deny with ForAllValues:StringNotLike on aws:TagKeys "key1*".
    table({ "ForAllValues:StringNotLike": { [tags]: "key1*" } }, [
      [{ [tags]: ["key1:legal"] }, false],
      [{ [tags]: ["key1:hr", "key1:personnel"] }, false],
      [{ [tags]: ["key2:audit"] }, true],
      [missing, true],
    ]);
    table({ "ForAnyValue:StringLikeIfExists": { [tags]: "x*" } }, [
      [missing, true, "IfExists wins on a missing key"],
      [{ [tags]: ["y"] }, false],
    ]);
    table({ "ForAllValues:NumericLessThan": { "secretsmanager:AddReplicaRegions": 5 } }, [
      [{ "secretsmanager:AddReplicaRegions": ["1", "2"] }, true],
      [{ "secretsmanager:AddReplicaRegions": ["1", "9"] }, false],
    ]);
  });

  it("a multi-valued request key without a qualifier: any value for the operator, none for its negation", () => {
    table({ StringEquals: { "aws:TagKeys": "a" } }, [
      [{ "aws:TagKeys": ["b", "a"] }, true],
      [{ "aws:TagKeys": ["b"] }, false],
    ]);
    table({ StringNotEquals: { "aws:TagKeys": "a" } }, [
      [{ "aws:TagKeys": ["b", "a"] }, false],
      [{ "aws:TagKeys": ["b"] }, true],
    ]);
  });

  it("ANDs keys within an operator and operators within a block", () => {
    const condition = {
      StringEquals: { [NAME]: "prod", "aws:PrincipalTag/team": "payments" },
      IpAddress: { "aws:SourceIp": "10.0.0.0/8" },
    };
    table(condition, [
      [{ [NAME]: "prod", "aws:SourceIp": "10.0.0.1" }, true],
      [{ [NAME]: "prod", "aws:SourceIp": "11.0.0.1" }, false],
      [{ [NAME]: "dev", "aws:SourceIp": "10.0.0.1" }, false],
      [
        { [NAME]: "prod", "aws:SourceIp": "10.0.0.1", "aws:PrincipalTag/team": "ops" },
        false,
        "context overrides tags",
      ],
    ]);
  });

  it("matches condition keys case-insensitively, operator names too", () => {
    table({ stringequals: { "AWS:SOURCEVPCE": "vpce-1" } }, [
      [{ "aws:sourceVpce": "vpce-1" }, true],
      [{ "aws:SourceVpce": "VPCE-1" }, false, "values stay case-sensitive"],
    ]);
  });

  it("derives principal keys and mirrors resource tags", () => {
    table({ StringEquals: { "aws:username": "alice", "aws:PrincipalAccount": "123456789012" } }, [
      [missing, true],
    ]);
    table({ StringEquals: { "aws:PrincipalType": "User" } }, [[missing, true]]);
    table({ ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::123456789012:user/*" } }, [[missing, true]]);
    table({ StringEquals: { "aws:PrincipalTag/TEAM": "payments" } }, [
      [missing, true, "tag keys are case-insensitive"],
    ]);
    table({ StringEquals: { "secretsmanager:ResourceTag/env": "prod" } }, [
      [{ "aws:ResourceTag/env": "prod" }, true],
      [{ "aws:ResourceTag/env": "dev" }, false],
    ]);
    table({ StringEquals: { "aws:ResourceTag/env": "prod" } }, [
      [{ "secretsmanager:ResourceTag/env": "prod" }, true],
    ]);
  });

  it("policy variables in condition values (2012-10-17 only)", () => {
    table({ StringEquals: { [NAME]: "${aws:username}" } }, [
      [{ [NAME]: "alice" }, true],
      [{ [NAME]: "bob" }, false],
    ]);
    table(
      { StringEquals: { [NAME]: "${aws:username}" } },
      [
        [{ [NAME]: "alice" }, false],
        [{ [NAME]: "${aws:username}" }, true, "2008-10-17: literal"],
      ],
      "2008-10-17",
    );
    table({ StringLike: { [NAME]: "${aws:PrincipalTag/team}/*" } }, [
      [{ [NAME]: "payments/db" }, true],
      [{ [NAME]: "ops/db" }, false],
    ]);
    table({ StringEquals: { [NAME]: "${aws:PrincipalTag/missing, 'none'}" } }, [[{ [NAME]: "none" }, true]]);
    table({ StringEquals: { [NAME]: "${aws:PrincipalTag/missing}" } }, [
      [{ [NAME]: "" }, false, "unresolved: no match"],
    ]);
    table({ StringNotEquals: { [NAME]: "${aws:PrincipalTag/missing}" } }, [
      [{ [NAME]: "x" }, true, "unresolved: NOR holds"],
    ]);
    table({ StringLike: { [NAME]: "a${*}b" } }, [
      [{ [NAME]: "a*b" }, true, "${*} is a literal star"],
      [{ [NAME]: "axb" }, false],
    ]);
    table({ StringEqualsIgnoreCase: { [NAME]: "${aws:username}-${$}" } }, [[{ [NAME]: "ALICE-$" }, true]]);
    table({ ArnLike: { "aws:SourceArn": "arn:aws:lambda:*:${aws:PrincipalAccount}:function:*" } }, [
      [{ "aws:SourceArn": "arn:aws:lambda:us-east-1:123456789012:function:f" }, true],
      [{ "aws:SourceArn": "arn:aws:lambda:us-east-1:999999999999:function:f" }, false],
    ]);
  });

  it("substituted values are literal, never wildcards", () => {
    const starTeam = { ...alice, tags: { team: "*" } };
    const document = {
      Version: "2012-10-17",
      Statement: {
        Effect: "Allow",
        Action: "*",
        Resource: "*",
        Condition: { StringLike: { [NAME]: "team-${aws:PrincipalTag/team}" } },
      },
    };
    const policy = parsePolicy(JSON.stringify(document), { kind: "identity" });
    const decide = (name: string) =>
      evaluate({
        principal: starTeam,
        action: "secretsmanager:GetSecretValue",
        resource: "*",
        context: { [NAME]: name },
        identityPolicies: [policy],
      }).decision;
    assert.equal(decide("team-*"), "allow");
    assert.equal(decide("team-payments"), "implicit-deny");
  });
});
