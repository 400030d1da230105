/**
 * What `coffer policy lint` says about a role's trust policy (docs/adr/0011): who could become the
 * role. Syntactic and conservative, like public.ts: a Deny is not credited with closing a hole an
 * Allow opens (write the restriction into the Allow's Condition instead).
 *
 * | code                     | severity | when                                                            |
 * | ------------------------ | -------- | --------------------------------------------------------------- |
 * | OPEN_WEB_IDENTITY_TRUST  | error    | an Allow of sts:AssumeRoleWithWebIdentity to an OIDC provider    |
 * |                          |          | with no condition pinning `<issuer>:sub` (or one that matches   |
 * |                          |          | any subject, e.g. StringLike `*` or `repo:*`): every workload    |
 * |                          |          | that provider issues tokens to — every GitHub repository — gets |
 * |                          |          | in                                                              |
 * | TRUST_ANY_PRINCIPAL      | error    | an Allow of sts:AssumeRole to `"*"` / `{"AWS": "*"}` (or with   |
 * |                          | warning  | NotPrincipal): every user and role session of this server; a    |
 * |                          |          | warning when conditions are all that keep others out            |
 * | UNKNOWN_OIDC_PROVIDER    | error    | a Federated principal no OIDC provider of this server has       |
 *
 * A condition on `<issuer>:sub` pins the subject when its operator is StringEquals,
 * StringEqualsIgnoreCase or StringLike (any qualifier, `IfExists` too: a verified token always has
 * a subject) and none of its values matches any subject. A StringLike value matches any subject
 * when it is only wildcards, or a single claim-kind prefix followed by wildcards (`repo:*`,
 * `project_path:*`: every GitHub repository, every GitLab project). Negated operators
 * (StringNotEquals, StringNotLike) exclude a few subjects and let the rest in, so they do not pin.
 */
import type { ConditionClause, Policy, Statement } from "./types.js";
import { compileGlobSet } from "./wildcard.js";

export type TrustFindingCode = "OPEN_WEB_IDENTITY_TRUST" | "TRUST_ANY_PRINCIPAL" | "UNKNOWN_OIDC_PROVIDER";

export interface TrustFinding {
  code: TrustFindingCode;
  severity: "error" | "warning";
  /** The statement's position in the policy. */
  statementIndex: number;
  message: string;
}

const PROVIDER_ARN_MARKER = ":oidc-provider/";
const PINNING_OPERATORS: ReadonlySet<string> = new Set([
  "StringEquals",
  "StringEqualsIgnoreCase",
  "StringLike",
]);
const ONLY_WILDCARDS = /^[*?]*\*[*?]*$/;
const KIND_THEN_WILDCARDS = /^[A-Za-z_]+:[*?]*\*[*?]*$/;

/**
 * The condition-key prefix of an OIDC provider's claims: its ARN's issuer part (host and path),
 * without a trailing slash (`https://tenant.auth0.com/`'s keys are `tenant.auth0.com:sub`, as IAM's).
 */
export function providerKeyPrefix(providerArn: string): string {
  const at = providerArn.indexOf(PROVIDER_ARN_MARKER);
  const issuer = at === -1 ? providerArn : providerArn.slice(at + PROVIDER_ARN_MARKER.length);
  return issuer.endsWith("/") ? issuer.slice(0, -1) : issuer;
}

/** Whether a StringLike pattern on `sub` lets every subject of a provider in (see the header). */
export function matchesAnySubject(pattern: string): boolean {
  return ONLY_WILDCARDS.test(pattern) || KIND_THEN_WILDCARDS.test(pattern);
}

/**
 * The findings of one trust policy, given the ARNs of the OIDC providers that exist. The policy
 * was parsed with `{ kind: "resource", trust: true }`.
 */
export function trustPolicyFindings(policy: Policy, providerArns: ReadonlySet<string>): TrustFinding[] {
  const findings: TrustFinding[] = [];
  policy.statements.forEach((statement, statementIndex) => {
    const add = (code: TrustFindingCode, severity: TrustFinding["severity"], message: string) =>
      findings.push({ code, severity, statementIndex, message });
    const federated = statement.principal === "*" ? [] : (statement.principal?.Federated ?? []);
    for (const arn of federated) {
      if (!providerArns.has(arn)) {
        add(
          "UNKNOWN_OIDC_PROVIDER",
          "error",
          `Names the OIDC provider ${arn}, which does not exist on this server, so it ${statement.effect === "Allow" ? "lets nobody in" : "denies nothing"}; fix the ARN (coffer admin oidc-provider list) or add the provider (coffer admin oidc-provider add).`,
        );
      }
    }
    if (statement.effect !== "Allow") return;
    if (covers(statement, "sts:AssumeRoleWithWebIdentity")) {
      for (const arn of federated) {
        const open = openSubjectReason(statement, arn, federated);
        if (open !== undefined) {
          const key = `${providerKeyPrefix(arn)}:sub`;
          add(
            "OPEN_WEB_IDENTITY_TRUST",
            "error",
            `Lets in any token ${arn} issues: ${open}. Pin the subject, e.g. "Condition": {"StringEquals": {"${key}": "<the one workload's subject>"}} (for GitHub Actions: "repo:ORG/REPO:ref:refs/heads/main").`,
          );
        }
      }
    }
    if (everyCaller(statement) && covers(statement, "sts:AssumeRole")) {
      const conditioned = statement.conditions.length > 0;
      add(
        "TRUST_ANY_PRINCIPAL",
        conditioned ? "warning" : "error",
        conditioned
          ? "Lets every user and role session of this server assume the role, unless its conditions stop them; name the principals that may assume it instead."
          : "Lets every user and role session of this server assume the role; name the principals that may assume it.",
      );
    }
  });
  return findings;
}

function covers(statement: Statement, action: string): boolean {
  const matcher = compileGlobSet(statement.action ?? statement.notAction ?? [], { ignoreCase: true });
  return matcher(action.toLowerCase()) === (statement.action !== undefined);
}

function everyCaller(statement: Statement): boolean {
  if (statement.notPrincipal !== undefined) return true;
  const principal = statement.principal;
  return principal === "*" || (principal?.AWS?.includes("*") ?? false);
}

/** Why the statement lets any subject of `arn` in, or undefined when a condition pins it. */
function openSubjectReason(
  statement: Statement,
  arn: string,
  federated: readonly string[],
): string | undefined {
  const subKey = `${providerKeyPrefix(arn)}:sub`.toLowerCase();
  const onSub = statement.conditions.filter((clause) => clause.key.toLowerCase() === subKey);
  if (onSub.some(pinsSubject)) return undefined;
  // A positive condition on another listed provider's claim is never met by this provider's tokens.
  if (statement.conditions.some((clause) => requiresOtherProvidersClaim(clause, arn, federated))) {
    return undefined;
  }
  const anySubject = onSub.find(
    (clause) => clause.base === "StringLike" && clause.values.some(matchesAnySubject),
  );
  if (anySubject !== undefined) {
    const value = anySubject.values.find(matchesAnySubject) as string;
    return `its ${anySubject.operator} "${value}" on "${anySubject.key}" matches every subject`;
  }
  return onSub.length > 0
    ? `its conditions on "${onSub[0]?.key}" exclude some subjects but do not name the ones allowed`
    : `no condition on "${providerKeyPrefix(arn)}:sub" says which workload`;
}

function pinsSubject(clause: ConditionClause): boolean {
  if (!PINNING_OPERATORS.has(clause.base)) return false;
  return clause.base !== "StringLike" || !clause.values.some(matchesAnySubject);
}

function requiresOtherProvidersClaim(
  clause: ConditionClause,
  arn: string,
  federated: readonly string[],
): boolean {
  if (clause.ifExists || clause.qualifier === "ForAllValues" || clause.base === "Null") return false;
  if (/Not/.test(clause.base)) return false;
  const key = clause.key.toLowerCase();
  const owner = longestOwner(key, federated);
  return owner !== undefined && owner !== arn;
}

/** The listed provider whose claims the key names (the longest matching prefix). */
function longestOwner(key: string, federated: readonly string[]): string | undefined {
  let owner: string | undefined;
  let length = -1;
  for (const arn of federated) {
    const prefix = `${providerKeyPrefix(arn)}:`.toLowerCase();
    if (key.startsWith(prefix) && prefix.length > length) {
      owner = arn;
      length = prefix.length;
    }
  }
  return owner;
}
