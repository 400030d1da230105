/**
 * Is a resource policy public? Used for PutResourcePolicy's BlockPublicPolicy and by the linter.
 *
 * AWS decides this with an automated reasoner (Zelkova). This is a documented, conservative
 * syntactic approximation modelled on S3's published definition of "public": when in doubt, public.
 *
 * A statement is public when all of these hold:
 * 1. `Effect: Allow`;
 * 2. it grants to everyone: `Principal: "*"`, an `AWS` list containing `"*"`, or any `NotPrincipal`
 *    (Allow + NotPrincipal = everyone except a few);
 * 3. no condition clause restricts it. A clause restricts only when it is unqualified or
 *    `ForAnyValue:` (never `ForAllValues:`, true on a missing key), has no `IfExists` (true on a
 *    missing key), uses a positive operator, and pins one of these keys to fixed values:
 *    - `aws:PrincipalAccount`, `aws:SourceAccount`, `aws:SourceOwner`, `aws:ResourceAccount`:
 *      StringEquals / StringEqualsIgnoreCase / StringLike with 12-digit values, no wildcards;
 *    - `aws:PrincipalOrgID`, `aws:SourceOrgID`, `aws:SourceVpc`, `aws:SourceVpce`, `aws:userid`:
 *      String operators with values free of wildcards (and of policy variables);
 *    - `aws:PrincipalArn`, `aws:SourceArn`: String or Arn operators with ARNs whose account segment
 *      is a literal 12-digit id (`arn:aws:iam::123456789012:role/*` restricts; `arn:aws:iam::*:…`
 *      does not);
 *    - `aws:SourceIp`: IpAddress with blocks no wider than /8 (IPv4) or /32 (IPv6).
 *
 * Deny statements are not credited: a policy that allows `*` and then denies everyone outside an
 * account is still reported public (rewrite it as a conditioned Allow).
 */
import { PublicPolicyException } from "../../errors/catalog.js";
import { parseCidr } from "./ip.js";
import type { ConditionClause, Policy, PrincipalSpec, Statement } from "./types.js";

const ACCOUNT_KEYS = new Set([
  "aws:principalaccount",
  "aws:sourceaccount",
  "aws:sourceowner",
  "aws:resourceaccount",
]);
const FIXED_VALUE_KEYS = new Set([
  "aws:principalorgid",
  "aws:sourceorgid",
  "aws:sourcevpc",
  "aws:sourcevpce",
  "aws:userid",
]);
const ARN_KEYS = new Set(["aws:principalarn", "aws:sourcearn"]);
const STRING_OPERATORS = new Set(["StringEquals", "StringEqualsIgnoreCase", "StringLike"]);
const ARN_OPERATORS = new Set(["ArnEquals", "ArnLike", "StringEquals", "StringLike"]);

function isFixed(value: string): boolean {
  return value.length > 0 && !/[*?]/.test(value) && !value.includes("${");
}

function arnHasFixedAccount(value: string): boolean {
  const parts = value.split(":");
  return (
    parts.length >= 6 && parts[0] === "arn" && /^\d{12}$/.test(parts[4] as string) && !value.includes("${")
  );
}

/** True when the clause pins the request to a bounded set of callers or networks (see above). */
export function isRestrictingCondition(clause: ConditionClause): boolean {
  if (clause.ifExists || clause.qualifier === "ForAllValues") return false;
  const key = clause.key.toLowerCase();
  if (ACCOUNT_KEYS.has(key)) {
    return STRING_OPERATORS.has(clause.base) && clause.values.every((v) => /^\d{12}$/.test(v));
  }
  if (FIXED_VALUE_KEYS.has(key)) return STRING_OPERATORS.has(clause.base) && clause.values.every(isFixed);
  if (ARN_KEYS.has(key)) return ARN_OPERATORS.has(clause.base) && clause.values.every(arnHasFixedAccount);
  if (key === "aws:sourceip") {
    return (
      clause.base === "IpAddress" &&
      clause.values.every((v) => {
        const block = parseCidr(v);
        return block !== undefined && block.prefix >= (block.v4 ? 8 : 32);
      })
    );
  }
  return false;
}

function grantsToEveryone(spec: PrincipalSpec | undefined): boolean {
  if (spec === undefined) return false;
  if (spec === "*") return true;
  return spec.AWS?.includes("*") ?? false;
}

/** True when the statement grants to every principal (before looking at conditions). */
export function hasWildcardPrincipal(statement: Statement): boolean {
  return statement.notPrincipal !== undefined || grantsToEveryone(statement.principal);
}

/** True when the statement is an Allow to everyone that no condition restricts. */
export function isPublicStatement(statement: Statement): boolean {
  if (statement.effect !== "Allow" || !hasWildcardPrincipal(statement)) return false;
  return !statement.conditions.some(isRestrictingCondition);
}

/** True when any statement of the (resource) policy is public; identity policies never are. */
export function isPublicPolicy(policy: Policy): boolean {
  return policy.kind === "resource" && policy.statements.some(isPublicStatement);
}

/**
 * For PutResourcePolicy with BlockPublicPolicy: throws PublicPolicyException (AWS's wording, plus
 * which statement is public) when the policy is public.
 */
export function assertNotPublic(policy: Policy): void {
  const index = policy.kind === "resource" ? policy.statements.findIndex(isPublicStatement) : -1;
  if (index === -1) return;
  const where = policy.statements.length > 1 ? `Statement[${index}]` : "Statement";
  throw new PublicPolicyException(
    `The BlockPublicPolicy parameter is set to true, and the resource policy did not prevent broad access to the secret: ${where} allows everyone without a condition on aws:PrincipalAccount, aws:PrincipalOrgID, aws:PrincipalArn, aws:SourceVpce or aws:SourceIp.`,
  );
}
