/**
 * Compiles a Policy once into matcher closures. The compiled form is cached per Policy object in a
 * WeakMap, so a parsed (frozen) policy is compiled on first use and every later evaluation only
 * runs closures: no re-parsing and no pattern compilation (a pattern with policy variables is
 * compiled once per distinct substitution and cached). A Policy must not be mutated after its
 * first evaluation; `parsePolicy` returns frozen ones.
 *
 * Condition semantics (AWS's, with the edge cases spelled out):
 * - Values of one key are ORed; a negated operator (StringNotEquals, NotIpAddress, ArnNotLike, …)
 *   is the NOR of its positive counterpart. Keys of one operator, and operators, are ANDed.
 * - A key that is absent from the request (undefined or an empty array):
 *     `…IfExists` → true; `ForAllValues:` → true; `ForAnyValue:` → false;
 *     a negated operator → true; any other operator → false; `Null: true` → true.
 * - A present key with several values and no set qualifier: the positive operator holds when any
 *   value matches, so the negated one holds when none does (a one-element array behaves exactly like
 *   the plain string).
 * - `ForAllValues:` holds when every request value satisfies the operator (for a negated operator:
 *   matches none of the policy values); `ForAnyValue:` when at least one does.
 * - A request value that does not parse for a typed operator (number, date, IP) matches nothing.
 */
import { compileCidrSet, parseCidr } from "./ip.js";
import type { BaseOperator, ConditionClause, Policy, PrincipalSpec, Statement } from "./types.js";
import { parseBoolean, parseDate, parseNumber } from "./values.js";
import {
  type ContextLookup,
  type ContextValue,
  parseTemplate,
  piecesWith,
  resolveText,
  resolveVariables,
  type Template,
} from "./variables.js";
import { compileGlobSet, compileTokens, type Matcher, tokensOf } from "./wildcard.js";

/** The caller, as the evaluator knows it. */
export interface RequestPrincipal {
  /** `arn:aws:iam::123456789012:user/alice`, `arn:aws:sts::123456789012:assumed-role/app/session`, … */
  readonly arn: string;
  readonly accountId: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** A role session: its role's ARN, which `aws:PrincipalArn` is (IAM's rule), while `arn` is the session's. */
  readonly roleArn?: string;
  /**
   * A web identity (AssumeRoleWithWebIdentity): `arn` is its OIDC provider's ARN. Only a trust
   * policy's `Federated` entry naming that provider matches it — not `*`, not `{"AWS": "*"}`.
   */
  readonly federated?: boolean;
}

/**
 * How a resource policy statement's Principal covers the caller: `direct` (the caller's ARN, its
 * role, or everyone), `account` (only through the caller's account, which then has to delegate
 * through identity policies), or `none`.
 */
export type PrincipalMatch = "none" | "direct" | "account";

export interface CompiledStatement {
  readonly statement: Statement;
  readonly index: number;
  readonly deny: boolean;
  /** Takes the action lower-cased. */
  readonly matchesAction: (lowerAction: string) => boolean;
  readonly matchesResource: (resource: string, lookup: ContextLookup) => boolean;
  /** Present for resource policies. */
  readonly matchesPrincipal?: (principal: RequestPrincipal) => PrincipalMatch;
  /** Absent when the statement has no conditions. */
  readonly matchesConditions?: (lookup: ContextLookup) => boolean;
}

export interface CompiledPolicy {
  readonly policy: Policy;
  readonly statements: readonly CompiledStatement[];
}

const compiled = new WeakMap<Policy, CompiledPolicy>();

/** The compiled form of a policy (compiled on first use, then cached for the object's lifetime). */
export function compilePolicy(policy: Policy): CompiledPolicy {
  let result = compiled.get(policy);
  if (!result) {
    const variables = policy.version === "2012-10-17";
    result = {
      policy,
      statements: policy.statements.map((statement, index) =>
        compileStatement(statement, index, variables, policy.kind === "resource"),
      ),
    };
    compiled.set(policy, result);
  }
  return result;
}

function compileStatement(
  statement: Statement,
  index: number,
  variables: boolean,
  resourcePolicy: boolean,
): CompiledStatement {
  const actions = compileGlobSet(statement.action ?? statement.notAction ?? [], { ignoreCase: true });
  const matchesAction: (a: string) => boolean = statement.action ? actions : (a) => !actions(a);

  const resources = compilePatternSet(statement.resource ?? statement.notResource ?? [], variables, true);
  const matchesResource: CompiledStatement["matchesResource"] = statement.resource
    ? resources
    : (resource, lookup) => !resources(resource, lookup);

  const out: { -readonly [K in keyof CompiledStatement]: CompiledStatement[K] } = {
    statement,
    index,
    deny: statement.effect === "Deny",
    matchesAction,
    matchesResource,
  };
  if (resourcePolicy) {
    if (statement.principal !== undefined) out.matchesPrincipal = compilePrincipal(statement.principal);
    else if (statement.notPrincipal !== undefined) {
      const excluded = compilePrincipal(statement.notPrincipal);
      out.matchesPrincipal = (principal) => (excluded(principal) === "none" ? "direct" : "none");
    } else out.matchesPrincipal = () => "none";
  }
  if (statement.conditions.length > 0) {
    const clauses = statement.conditions.map((clause) => compileClause(clause, variables));
    out.matchesConditions =
      clauses.length === 1
        ? (clauses[0] as (lookup: ContextLookup) => boolean)
        : (lookup) => {
            for (const clause of clauses) if (!clause(lookup)) return false;
            return true;
          };
  }
  return out;
}

// --- Principals ---------------------------------------------------------------------------------

const accountRootPattern = /^arn:[a-z-]+:iam::(\d{12}):root$/;
const rolePattern = /^arn:([a-z-]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;

/**
 * A principal entry matches the caller when it is `*`, the caller's exact ARN, the role whose
 * session the caller is (`arn:aws:iam::A:role/R` covers `arn:aws:sts::A:assumed-role/R/*`), or the
 * caller's account (`123456789012` / `arn:aws:iam::123456789012:root`; only an `account` match,
 * except for the account's root itself). Service principals never match a Coffer caller.
 */
export function compilePrincipal(spec: PrincipalSpec): (principal: RequestPrincipal) => PrincipalMatch {
  const federated = new Set(spec === "*" ? [] : (spec.Federated ?? []));
  const forCallers = compileCallerPrincipal(spec);
  return (principal) => {
    if (principal.federated) return federated.has(principal.arn) ? "direct" : "none";
    return forCallers(principal);
  };
}

function compileCallerPrincipal(spec: PrincipalSpec): (principal: RequestPrincipal) => PrincipalMatch {
  if (spec === "*") return () => "direct";
  const exact = new Set<string>();
  const accounts = new Set<string>();
  const sessionPrefixes: string[] = [];
  for (const value of spec.AWS ?? []) {
    if (value === "*") return () => "direct";
    if (/^\d{12}$/.test(value)) {
      accounts.add(value);
      continue;
    }
    const root = accountRootPattern.exec(value);
    if (root) {
      accounts.add(root[1] as string);
      exact.add(value);
      continue;
    }
    exact.add(value);
    const role = rolePattern.exec(value);
    if (role) sessionPrefixes.push(`arn:${role[1]}:sts::${role[2]}:assumed-role/${role[3]}/`);
  }
  return (principal) => {
    if (exact.has(principal.arn)) return "direct";
    for (const prefix of sessionPrefixes) if (principal.arn.startsWith(prefix)) return "direct";
    if (accounts.has(principal.accountId)) {
      return accountRootPattern.test(principal.arn) ? "direct" : "account";
    }
    return "none";
  };
}

// --- Patterns with optional policy variables ----------------------------------------------------

type PatternSet = (value: string, lookup: ContextLookup) => boolean;

/** Resolved variable patterns are compiled once per distinct substitution, up to this many. */
const TEMPLATE_CACHE_SIZE = 256;

/** Wildcard patterns (ARN mode for resources and Arn* operators), some possibly with variables. */
function compilePatternSet(patterns: readonly string[], variables: boolean, arn: boolean): PatternSet {
  const plain: string[] = [];
  const templates: Array<{ template: Template; cache: Map<string, Matcher> }> = [];
  for (const pattern of patterns) {
    const template = variables ? parseTemplate(pattern) : undefined;
    if (template) templates.push({ template, cache: new Map() });
    else plain.push(pattern);
  }
  const staticMatch = plain.length > 0 ? compileGlobSet(plain, { arn }) : undefined;
  if (templates.length === 0) return staticMatch ?? (() => false);
  return (value, lookup) => {
    if (staticMatch?.(value)) return true;
    for (const { template, cache } of templates) {
      const resolved = resolveVariables(template, lookup);
      if (!resolved) continue;
      const key = resolved.length === 1 ? (resolved[0] as string) : resolved.join("\u0000");
      let matcher = cache.get(key);
      if (!matcher) {
        if (cache.size >= TEMPLATE_CACHE_SIZE) cache.clear();
        matcher = compileTokens(tokensOf(piecesWith(template, resolved), { arn }));
        cache.set(key, matcher);
      }
      if (matcher(value)) return true;
    }
    return false;
  };
}

/** Exact strings, some possibly with variables; `fold` lower-cases both sides. */
function compileExactSet(values: readonly string[], variables: boolean, fold: boolean): PatternSet {
  const plain = new Set<string>();
  const templates: Template[] = [];
  for (const value of values) {
    const template = variables ? parseTemplate(value) : undefined;
    if (template) templates.push(template);
    else plain.add(fold ? value.toLowerCase() : value);
  }
  if (templates.length === 0) {
    return fold ? (value) => plain.has(value.toLowerCase()) : (value) => plain.has(value);
  }
  return (value, lookup) => {
    const probe = fold ? value.toLowerCase() : value;
    if (plain.has(probe)) return true;
    for (const template of templates) {
      const resolved = resolveText(template, lookup);
      if (resolved !== undefined && (fold ? resolved.toLowerCase() : resolved) === probe) return true;
    }
    return false;
  };
}

// --- Conditions -----------------------------------------------------------------------------------

/** Negated operators and the positive operator they negate. */
const NEGATION: Partial<Record<BaseOperator, BaseOperator>> = {
  StringNotEquals: "StringEquals",
  StringNotEqualsIgnoreCase: "StringEqualsIgnoreCase",
  StringNotLike: "StringLike",
  NumericNotEquals: "NumericEquals",
  DateNotEquals: "DateEquals",
  NotIpAddress: "IpAddress",
  ArnNotEquals: "ArnEquals",
  ArnNotLike: "ArnLike",
};

export function isNegatedOperator(base: BaseOperator): boolean {
  return NEGATION[base] !== undefined;
}

/** The operator a negated operator negates (or the operator itself). */
export function positiveOperator(base: BaseOperator): BaseOperator {
  return NEGATION[base] ?? base;
}

function compareWith(base: BaseOperator): (request: number, policy: number) => boolean {
  if (base.endsWith("LessThanEquals")) return (r, p) => r <= p;
  if (base.endsWith("LessThan")) return (r, p) => r < p;
  if (base.endsWith("GreaterThanEquals")) return (r, p) => r >= p;
  if (base.endsWith("GreaterThan")) return (r, p) => r > p;
  return (r, p) => r === p;
}

/** The positive test of one request value against the clause's policy values. */
function compilePositive(base: BaseOperator, values: readonly string[], variables: boolean): PatternSet {
  switch (base) {
    case "StringEquals":
    case "BinaryEquals":
      return compileExactSet(values, variables && base === "StringEquals", false);
    case "StringEqualsIgnoreCase":
      return compileExactSet(values, variables, true);
    case "StringLike":
      return compilePatternSet(values, variables, false);
    case "ArnEquals":
    case "ArnLike":
      return compilePatternSet(values, variables, true);
    case "Bool": {
      const accepted = new Set(values.map((v) => v.toLowerCase()));
      return (value) => accepted.has(value.toLowerCase());
    }
    case "IpAddress": {
      const blocks = values.map((v) => parseCidr(v)).filter((b) => b !== undefined);
      const contains = compileCidrSet(blocks);
      return (value) => contains(value);
    }
    default: {
      const parse = base.startsWith("Date") ? parseDate : parseNumber;
      const numbers = values.map(parse);
      const compare = compareWith(base);
      return (value) => {
        const request = parse(value);
        if (Number.isNaN(request)) return false;
        for (const policyValue of numbers) if (compare(request, policyValue)) return true;
        return false;
      };
    }
  }
}

function isAbsent(values: ContextValue | undefined): values is undefined {
  return values === undefined || (typeof values !== "string" && values.length === 0);
}

/** One (operator, key) clause as a predicate over the request context. */
export function compileClause(
  clause: ConditionClause,
  variables: boolean,
): (lookup: ContextLookup) => boolean {
  const key = clause.key.toLowerCase();
  if (clause.base === "Null") {
    const expectations = clause.values.map((v) => parseBoolean(v));
    const whenAbsent = expectations.includes(true);
    const whenPresent = expectations.includes(false);
    return (lookup) => (isAbsent(lookup(key)) ? whenAbsent : whenPresent);
  }
  const negated = isNegatedOperator(clause.base);
  const positive = compilePositive(positiveOperator(clause.base), clause.values, variables);
  const { qualifier, ifExists } = clause;
  const whenMissing =
    ifExists || qualifier === "ForAllValues" ? true : qualifier === "ForAnyValue" ? false : negated;
  // With one request value every form reduces to "the operator holds for it".
  if (qualifier === "ForAllValues") {
    return (lookup) => {
      const values = lookup(key);
      if (isAbsent(values)) return whenMissing;
      if (typeof values === "string") return positive(values, lookup) !== negated;
      for (const value of values) if (positive(value, lookup) === negated) return false;
      return true;
    };
  }
  if (qualifier === "ForAnyValue") {
    return (lookup) => {
      const values = lookup(key);
      if (isAbsent(values)) return whenMissing;
      if (typeof values === "string") return positive(values, lookup) !== negated;
      for (const value of values) if (positive(value, lookup) !== negated) return true;
      return false;
    };
  }
  return (lookup) => {
    const values = lookup(key);
    if (isAbsent(values)) return whenMissing;
    if (typeof values === "string") return positive(values, lookup) !== negated;
    for (const value of values) if (positive(value, lookup)) return !negated;
    return negated;
  };
}
