// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are written ${key}, not JS templates.
/**
 * Test support: fast-check arbitraries for policy documents and requests over small pools, so that
 * generated statements often apply to generated requests (and often do not).
 */
import fc from "fast-check";
import { SECRETS_MANAGER_ACTIONS } from "./catalog.js";
import type { RequestPrincipal } from "./compile.js";
import type { RequestContextValues } from "./evaluate.js";

export const ACCOUNT = "111111111111";
export const OTHER_ACCOUNT = "222222222222";

export const PRINCIPALS: RequestPrincipal[] = [
  { arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT, tags: { team: "payments" } },
  { arn: `arn:aws:iam::${ACCOUNT}:user/bob`, accountId: ACCOUNT },
  { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/session-1`, accountId: ACCOUNT, tags: { team: "ops" } },
  { arn: `arn:aws:iam::${OTHER_ACCOUNT}:user/carol`, accountId: OTHER_ACCOUNT },
];

export const SECRETS = [
  `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/db-AbCdEf`,
  `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:alice-XyZ123`,
  `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:dev/api-QwErTy`,
];

export const ACTION_PATTERNS = [
  ...SECRETS_MANAGER_ACTIONS,
  "secretsmanager:*",
  "secretsmanager:Get*",
  "secretsmanager:*Secret*",
  "secretsmanager:?etSecretValue",
  "SecretsManager:getsecretvalue",
  "*",
  "s3:GetObject",
];

export const RESOURCE_PATTERNS = [
  "*",
  `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/*`,
  "arn:aws:secretsmanager:*:*:secret:*",
  `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/db-??????`,
  `arn:aws:secretsmanager:*:${OTHER_ACCOUNT}:secret:*`,
  "arn:aws:secretsmanager:*:*:secret:${aws:username}-*",
  "arn:aws:secretsmanager:eu-*",
];

const PRINCIPAL_SPECS: unknown[] = [
  "*",
  { AWS: "*" },
  { AWS: ACCOUNT },
  { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` },
  { AWS: [`arn:aws:iam::${ACCOUNT}:role/app`, OTHER_ACCOUNT] },
  { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` },
  { Service: "lambda.amazonaws.com" },
];

const CONDITIONS: Array<[string, Record<string, unknown>]> = [
  ["StringEquals", { "aws:username": "alice" }],
  ["StringLike", { "secretsmanager:Name": ["prod/*", "dev/?pi"] }],
  ["StringNotEquals", { "aws:PrincipalTag/team": "ops" }],
  ["IpAddress", { "aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"] }],
  ["NotIpAddress", { "aws:SourceIp": "10.0.0.0/16" }],
  ["ForAnyValue:StringEquals", { "aws:TagKeys": ["a", "b"] }],
  ["ForAllValues:StringEquals", { "aws:TagKeys": ["a", "b"] }],
  ["StringNotEqualsIfExists", { "aws:SourceVpce": "vpce-1" }],
  ["Null", { "aws:SourceVpce": "true" }],
  ["Bool", { "aws:SecureTransport": true }],
  ["DateLessThan", { "aws:CurrentTime": "2030-01-01T00:00:00Z" }],
  ["NumericLessThanEquals", { "secretsmanager:RecoveryWindowInDays": 7 }],
  ["ArnLike", { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:*` }],
];

/** A document element in array form; `singletonsAsStrings` rewrites one-element arrays. */
export type DocumentStatement = Record<string, unknown>;

function listOf<T>(pool: readonly T[]): fc.Arbitrary<T[]> {
  return fc.uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: 3 });
}

const conditionArb: fc.Arbitrary<Record<string, unknown> | undefined> = fc.option(
  fc
    .uniqueArray(fc.constantFrom(...CONDITIONS), { minLength: 1, maxLength: 2, selector: ([op]) => op })
    .map((entries) => Object.fromEntries(entries)),
  { nil: undefined, freq: 2 },
);

export function statementArb(
  kind: "identity" | "resource",
  effect?: "Allow" | "Deny",
): fc.Arbitrary<DocumentStatement> {
  return fc
    .record({
      sid: fc.option(fc.constantFrom("A", "B1", "Read"), { nil: undefined }),
      effect: effect ? fc.constant(effect) : fc.constantFrom("Allow", "Deny"),
      notAction: fc.boolean(),
      actions: listOf(ACTION_PATTERNS),
      notResource: fc.nat(9).map((n) => n === 0),
      resources: listOf(RESOURCE_PATTERNS),
      notPrincipal: fc.nat(9).map((n) => n === 0),
      principal: fc.constantFrom(...PRINCIPAL_SPECS),
      condition: conditionArb,
    })
    .map((s) => {
      const out: DocumentStatement = { Effect: s.effect };
      if (s.sid) out.Sid = s.sid;
      out[s.notAction ? "NotAction" : "Action"] = s.actions;
      out[s.notResource ? "NotResource" : "Resource"] = s.resources;
      if (kind === "resource") out[s.notPrincipal ? "NotPrincipal" : "Principal"] = s.principal;
      if (s.condition) out.Condition = s.condition;
      return out;
    });
}

export interface DocumentShape {
  Version?: string;
  Statement: DocumentStatement[];
}

export function documentArb(kind: "identity" | "resource", maxStatements = 4): fc.Arbitrary<DocumentShape> {
  return fc
    .record({
      version: fc.constantFrom("2012-10-17", "2012-10-17", "2008-10-17", undefined),
      statements: fc.array(statementArb(kind), { minLength: 1, maxLength: maxStatements }),
    })
    .map(({ version, statements }) => {
      // Sids must be unique in identity policies; drop repeats.
      const seen = new Set<unknown>();
      for (const statement of statements) {
        if (statement.Sid !== undefined && seen.has(statement.Sid)) delete statement.Sid;
        seen.add(statement.Sid);
      }
      return version ? { Version: version, Statement: statements } : { Statement: statements };
    });
}

/** The same document with every one-element array written as its only element. */
export function singletonsAsStrings(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.length === 1 ? singletonsAsStrings(value[0]) : value.map(singletonsAsStrings);
  }
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, singletonsAsStrings(v)]));
  }
  return value;
}

export interface GeneratedRequest {
  principal: RequestPrincipal;
  action: string;
  resource: string;
  context: RequestContextValues;
}

export const requestArb: fc.Arbitrary<GeneratedRequest> = fc.record({
  principal: fc.constantFrom(...PRINCIPALS),
  action: fc.constantFrom(...SECRETS_MANAGER_ACTIONS, "SECRETSMANAGER:GETSECRETVALUE"),
  resource: fc.constantFrom(
    "*",
    ...SECRETS,
    `arn:aws:secretsmanager:us-east-1:${OTHER_ACCOUNT}:secret:x-AbCdEf`,
  ),
  context: fc.record(
    {
      "aws:SourceIp": fc.constantFrom("10.1.2.3", "10.0.0.9", "192.0.2.1", "2001:db8::5"),
      "secretsmanager:Name": fc.constantFrom("prod/db", "dev/api", "alice"),
      "aws:TagKeys": fc.constantFrom([], ["a"], ["a", "c"], ["b", "a"]),
      "aws:SecureTransport": fc.constantFrom("true", "false"),
      "aws:CurrentTime": fc.constantFrom("2025-06-01T00:00:00Z", "2031-01-01T00:00:00Z"),
      "aws:SourceVpce": fc.constantFrom("vpce-1", "vpce-2"),
      "secretsmanager:RecoveryWindowInDays": fc.constantFrom("7", "30"),
    },
    { requiredKeys: [] },
  ),
});
