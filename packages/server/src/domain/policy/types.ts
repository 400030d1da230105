/**
 * The typed form of an IAM policy document, as the parser produces it: every "string or array"
 * element is normalized to an array, conditions are flattened to one clause per (operator, key),
 * and values are strings (IAM compares `true` and `"true"`, `10` and `"10"` alike).
 *
 * A Policy is plain, deeply frozen data. Its compiled matchers live beside it (see compile.ts), so
 * evaluation never re-reads the document.
 */

export type PolicyKind = "identity" | "resource";
export type PolicyVersion = "2012-10-17" | "2008-10-17";
export type Effect = "Allow" | "Deny";

/** The principals of a `Principal` / `NotPrincipal` element: `"*"` or a map by principal type. */
export type PrincipalSpec = "*" | PrincipalMap;

export interface PrincipalMap {
  /** `"*"`, a 12-digit account id, or an IAM/STS ARN (`arn:aws:iam::123456789012:root` = the account). */
  readonly AWS?: readonly string[];
  /** Service principals (`lambda.amazonaws.com`). Accepted for compatibility; Coffer callers never match them. */
  readonly Service?: readonly string[];
  /** Trust policies only: OIDC providers' ARNs, matched by web identity callers (AssumeRoleWithWebIdentity). */
  readonly Federated?: readonly string[];
}

export type SetQualifier = "ForAnyValue" | "ForAllValues";

export const CONDITION_OPERATORS = [
  "StringEquals",
  "StringNotEquals",
  "StringEqualsIgnoreCase",
  "StringNotEqualsIgnoreCase",
  "StringLike",
  "StringNotLike",
  "NumericEquals",
  "NumericNotEquals",
  "NumericLessThan",
  "NumericLessThanEquals",
  "NumericGreaterThan",
  "NumericGreaterThanEquals",
  "DateEquals",
  "DateNotEquals",
  "DateLessThan",
  "DateLessThanEquals",
  "DateGreaterThan",
  "DateGreaterThanEquals",
  "Bool",
  "BinaryEquals",
  "IpAddress",
  "NotIpAddress",
  "ArnEquals",
  "ArnLike",
  "ArnNotEquals",
  "ArnNotLike",
  "Null",
] as const;

export type BaseOperator = (typeof CONDITION_OPERATORS)[number];

/** One (operator, key) pair of a Condition block. All clauses of a statement must hold (AND). */
export interface ConditionClause {
  /** Canonical operator text, e.g. `ForAnyValue:StringLikeIfExists`. */
  readonly operator: string;
  readonly base: BaseOperator;
  readonly qualifier?: SetQualifier;
  readonly ifExists: boolean;
  /** The condition key as written (matched case-insensitively). */
  readonly key: string;
  /** Policy values; one must match (OR), or for a negated operator none may (NOR). Never empty. */
  readonly values: readonly string[];
}

export interface Statement {
  readonly sid?: string;
  readonly effect: Effect;
  readonly principal?: PrincipalSpec;
  readonly notPrincipal?: PrincipalSpec;
  /** Exactly one of action / notAction is present. */
  readonly action?: readonly string[];
  readonly notAction?: readonly string[];
  /** Exactly one of resource / notResource is present. */
  readonly resource?: readonly string[];
  readonly notResource?: readonly string[];
  readonly conditions: readonly ConditionClause[];
}

export interface Policy {
  readonly kind: PolicyKind;
  /** A label for results and messages (identity policy name); not part of the document. */
  readonly name?: string;
  /** Absent when the document has no Version (IAM then applies 2008-10-17: no policy variables). */
  readonly version?: PolicyVersion;
  readonly id?: string;
  readonly statements: readonly Statement[];
}

/** The JSON shape `policyToDocument` writes (canonical: arrays everywhere, operators grouped). */
export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: StatementDocument[];
}

export interface StatementDocument {
  Sid?: string;
  Effect: Effect;
  Principal?: "*" | { AWS?: string[]; Service?: string[] };
  NotPrincipal?: "*" | { AWS?: string[]; Service?: string[] };
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  Condition?: Record<string, Record<string, string[]>>;
}

/** Where in a document something is: keys and array indexes from the root. */
export type PolicyPath = ReadonlyArray<string | number>;
