/**
 * Decides one request the way AWS does for Secrets Manager (identity policies + the secret's
 * resource policy; no SCPs, permission boundaries or session policies):
 *
 * 1. An applicable Deny in any policy wins: `explicit-deny` (identity policies are searched first,
 *    so when both deny, the identity-based one is reported).
 * 2. Same account (the caller's account is the secret's, or the resource is `*`): an Allow in an
 *    identity policy OR an Allow in the resource policy whose Principal names the caller (its ARN,
 *    its role, or `*`) grants. A resource policy that names only the caller's *account*
 *    (`123456789012`, `arn:aws:iam::123456789012:root`) delegates to that account's identity
 *    policies and grants nothing by itself, as in AWS.
 * 3. Cross-account (the secret's ARN names another account): both an identity Allow and a
 *    resource-policy Allow (account-level principal suffices) are required.
 * 4. Otherwise `implicit-deny`; a caller without policies can do nothing.
 *
 * A statement applies when its action, resource, principal (resource policies) and every condition
 * match. The request context is keyed case-insensitively; `aws:PrincipalArn`,
 * `aws:PrincipalAccount`, `aws:PrincipalTag/*`, `aws:PrincipalType` and (for IAM users)
 * `aws:username` are derived from `principal` unless the context sets them, and
 * `aws:ResourceTag/*` and `secretsmanager:ResourceTag/*` stand in for each other. Nothing reads the
 * clock: pass `aws:CurrentTime` / `aws:EpochTime` in the context for date conditions.
 */
import { AccessDeniedException } from "../../errors/catalog.js";
import { type CompiledStatement, compilePolicy, type RequestPrincipal } from "./compile.js";
import type { Policy } from "./types.js";
import type { ContextLookup, ContextValue } from "./variables.js";

export type { RequestPrincipal };

export type RequestContextValues = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface AuthorizationRequest {
  readonly principal: RequestPrincipal;
  /** `secretsmanager:GetSecretValue` (matched case-insensitively). */
  readonly action: string;
  /** The secret's full ARN, or `*` for actions on no particular secret (ListSecrets, GetRandomPassword). */
  readonly resource: string;
  readonly context?: RequestContextValues;
  readonly identityPolicies: readonly Policy[];
  readonly resourcePolicy?: Policy | undefined;
  /**
   * `resourcePolicy` is a role's trust policy (sts:AssumeRole…): unlike a secret's resource policy,
   * it must always allow. Naming the caller (or its role, or a web identity's provider) suffices; naming
   * only the caller's account also needs an identity-policy Allow (IAM's rule for roles).
   */
  readonly trust?: boolean;
}

export type Decision = "allow" | "explicit-deny" | "implicit-deny";

export interface MatchedStatement {
  readonly source: "identity" | "resource";
  readonly policyName?: string;
  readonly sid?: string;
  /** Position of the statement in its policy. */
  readonly statementIndex: number;
}

export interface AuthorizationResult {
  readonly decision: Decision;
  /** The deciding statement: the Deny for `explicit-deny`, the (first) Allow for `allow`. */
  readonly matched?: MatchedStatement;
  /** For `implicit-deny`: which kind of policy lacked an Allow (`resource` only cross-account). */
  readonly missingAllow?: "identity" | "resource";
}

const principalArnPattern = /^arn:[a-z-]+:(iam|sts)::\d{12}:(root$|user\/|assumed-role\/|federated-user\/)/;
const PRINCIPAL_TYPES: Record<string, string> = {
  root: "Account",
  "user/": "User",
  "assumed-role/": "AssumedRole",
  "federated-user/": "FederatedUser",
};

/** aws:PrincipalType from the caller's ARN. */
function principalType(arn: string): string | undefined {
  const match = principalArnPattern.exec(arn);
  return match ? PRINCIPAL_TYPES[match[2] as string] : undefined;
}

/** aws:username: the last path element of an IAM user ARN. */
function userName(arn: string): string | undefined {
  if (principalType(arn) !== "User") return undefined;
  return arn.slice(arn.lastIndexOf("/") + 1);
}

const PRINCIPAL_TAG = "aws:principaltag/";
const AWS_TAG = "aws:resourcetag/";
const SM_TAG = "secretsmanager:resourcetag/";

function lowerContext(context: RequestContextValues): Map<string, ContextValue> {
  const map = new Map<string, ContextValue>();
  for (const key in context) {
    const value = context[key];
    if (value !== undefined) map.set(key.toLowerCase(), value);
  }
  return map;
}

/** A key the request context does not set, derived from the principal or a synonym. */
function derived(
  principal: RequestPrincipal,
  key: string,
  context: Map<string, ContextValue> | undefined,
): ContextValue | undefined {
  switch (key) {
    case "aws:principalarn":
      return principal.roleArn ?? principal.arn;
    case "aws:principalaccount":
      return principal.accountId;
    case "aws:principaltype":
      return principalType(principal.arn);
    case "aws:username":
      return userName(principal.arn);
  }
  if (key.startsWith(PRINCIPAL_TAG) && principal.tags) {
    const tag = key.slice(PRINCIPAL_TAG.length);
    for (const name in principal.tags) if (name.toLowerCase() === tag) return principal.tags[name];
    return undefined;
  }
  if (key.startsWith(AWS_TAG)) return context?.get(SM_TAG + key.slice(AWS_TAG.length));
  if (key.startsWith(SM_TAG)) return context?.get(AWS_TAG + key.slice(SM_TAG.length));
  return undefined;
}

/**
 * Looks keys up case-insensitively: the request context first (lower-cased once, on first use),
 * then the keys derived from the principal.
 */
function lazyLookup(request: Pick<AuthorizationRequest, "principal" | "context">): ContextLookup {
  const { principal, context } = request;
  let lowered: Map<string, ContextValue> | undefined;
  return (key) => {
    if (context) {
      lowered ??= lowerContext(context);
      const value = lowered.get(key);
      if (value !== undefined) return value;
    }
    return derived(principal, key, lowered);
  };
}

/** The request context as evaluation sees it (lower-case keys, derived keys included), for debugging. */
export function contextMap(
  request: Pick<AuthorizationRequest, "principal" | "context">,
): Map<string, ContextValue> {
  const lookup = lazyLookup(request);
  const keys = new Set(["aws:principalarn", "aws:principalaccount", "aws:principaltype", "aws:username"]);
  for (const name in request.principal.tags ?? {}) keys.add(PRINCIPAL_TAG + name.toLowerCase());
  for (const key in request.context ?? {}) {
    const lower = key.toLowerCase();
    keys.add(lower);
    if (lower.startsWith(AWS_TAG)) keys.add(SM_TAG + lower.slice(AWS_TAG.length));
    if (lower.startsWith(SM_TAG)) keys.add(AWS_TAG + lower.slice(SM_TAG.length));
  }
  const map = new Map<string, ContextValue>();
  for (const key of keys) {
    const value = lookup(key);
    if (value !== undefined) map.set(key, value);
  }
  return map;
}

/** The account segment of an ARN (undefined for `*` or a non-ARN). */
function accountOf(resource: string): string | undefined {
  if (!resource.startsWith("arn:")) return undefined;
  let at = 0;
  for (let i = 0; i < 4; i++) {
    at = resource.indexOf(":", at) + 1;
    if (at === 0) return undefined;
  }
  const end = resource.indexOf(":", at);
  const account = end === -1 ? "" : resource.slice(at, end);
  return account === "" ? undefined : account;
}

function applies(
  statement: CompiledStatement,
  action: string,
  resource: string,
  lookup: ContextLookup,
): boolean {
  return (
    statement.matchesAction(action) &&
    statement.matchesResource(resource, lookup) &&
    (statement.matchesConditions === undefined || statement.matchesConditions(lookup))
  );
}

function matchOf(
  source: "identity" | "resource",
  policy: Policy,
  statement: CompiledStatement,
): MatchedStatement {
  const matched: { -readonly [K in keyof MatchedStatement]: MatchedStatement[K] } = {
    source,
    statementIndex: statement.index,
  };
  if (policy.name !== undefined) matched.policyName = policy.name;
  if (statement.statement.sid !== undefined) matched.sid = statement.statement.sid;
  return matched;
}

/** Evaluates one request against the caller's identity policies and the secret's resource policy. */
export function evaluate(request: AuthorizationRequest): AuthorizationResult {
  const action = request.action.toLowerCase();
  const { resource } = request;
  const lookup = lazyLookup(request);

  let identityAllow: MatchedStatement | undefined;
  for (const policy of request.identityPolicies) {
    if (policy.kind !== "identity")
      throw new TypeError('evaluate: identityPolicies must be parsed with kind "identity"');
    for (const statement of compilePolicy(policy).statements) {
      if (!statement.deny && identityAllow) continue;
      if (!applies(statement, action, resource, lookup)) continue;
      if (statement.deny)
        return { decision: "explicit-deny", matched: matchOf("identity", policy, statement) };
      identityAllow = matchOf("identity", policy, statement);
    }
  }

  let resourceDirect: MatchedStatement | undefined;
  let resourceAccount: MatchedStatement | undefined;
  const resourcePolicy = request.resourcePolicy;
  if (resourcePolicy) {
    if (resourcePolicy.kind !== "resource")
      throw new TypeError('evaluate: resourcePolicy must be parsed with kind "resource"');
    for (const statement of compilePolicy(resourcePolicy).statements) {
      if (!statement.deny && resourceDirect) continue;
      const principalMatch = statement.matchesPrincipal?.(request.principal) ?? "none";
      if (principalMatch === "none") continue;
      if (!statement.deny && principalMatch === "account" && resourceAccount) continue;
      if (!applies(statement, action, resource, lookup)) continue;
      const matched = matchOf("resource", resourcePolicy, statement);
      if (statement.deny) return { decision: "explicit-deny", matched };
      if (principalMatch === "direct") resourceDirect = matched;
      else resourceAccount = matched;
    }
  }

  if (request.trust) {
    if (resourceDirect) return { decision: "allow", matched: resourceDirect };
    if (resourceAccount && identityAllow) return { decision: "allow", matched: identityAllow };
    return { decision: "implicit-deny", missingAllow: resourceAccount ? "identity" : "resource" };
  }
  const owner = accountOf(resource);
  const crossAccount = owner !== undefined && owner !== request.principal.accountId;
  if (crossAccount) {
    const resourceAllow = resourceDirect ?? resourceAccount;
    if (identityAllow && resourceAllow) return { decision: "allow", matched: identityAllow };
    return { decision: "implicit-deny", missingAllow: identityAllow ? "resource" : "identity" };
  }
  const allow = identityAllow ?? resourceDirect;
  return allow
    ? { decision: "allow", matched: allow }
    : { decision: "implicit-deny", missingAllow: "identity" };
}

/**
 * AWS's AccessDenied wording, e.g. `User: arn:aws:iam::123456789012:user/alice is not authorized to
 * perform: secretsmanager:GetSecretValue on resource: <arn> because no identity-based policy allows
 * the secretsmanager:GetSecretValue action` (the `on resource:` part is left out for `*`).
 */
export function accessDeniedMessage(
  request: Pick<AuthorizationRequest, "principal" | "action" | "resource">,
  result: AuthorizationResult,
): string {
  const head = `User: ${request.principal.arn} is not authorized to perform: ${request.action}`;
  const on = request.resource === "*" ? "" : ` on resource: ${request.resource}`;
  if (result.decision === "explicit-deny") {
    const where =
      result.matched?.source === "resource" ? "a resource-based policy" : "an identity-based policy";
    return `${head}${on} with an explicit deny in ${where}`;
  }
  if (result.decision === "implicit-deny") {
    const kind = result.missingAllow === "resource" ? "resource-based" : "identity-based";
    return `${head}${on} because no ${kind} policy allows the ${request.action} action`;
  }
  throw new TypeError("accessDeniedMessage: the request was allowed");
}

/** Evaluates and throws AccessDeniedException (AWS's message) unless the request is allowed. */
export function authorize(request: AuthorizationRequest): AuthorizationResult {
  const result = evaluate(request);
  if (result.decision !== "allow") throw new AccessDeniedException(accessDeniedMessage(request, result));
  return result;
}
