import { assumedRoleArn, roleOfSession } from "../../arns/principal-arns.js";
import type { AuditPage, AuditQuery } from "../../audit/audit-query.js";
import {
  actionStatus,
  canonicalAction,
  compileGlobSet,
  isSuperUserGrant,
  type Policy,
  parsePolicy,
  type Statement,
  statementActions,
  unknownActionMessage,
} from "../policy/index.js";
import { type TrustFindingCode, trustPolicyFindings } from "../policy/trust-lint.js";
import type { IdentityStore, PrincipalRecord } from "../ports/identity-store.js";
import type { SecretRecord } from "../secrets/records.js";
import type { AccessTarget, Authorizer } from "./authorizer.js";

export interface AccessGrant {
  principal: string;
  /** A user, or a role: then the grant is its sessions' (whoever assumes it). */
  kind: PrincipalRecord["kind"];
  /** Where the allow came from: `identity` (with the policy name) or `resource`. */
  source: "identity" | "resource";
  policyName?: string | undefined;
  sid?: string | undefined;
}

export type PolicyFindingCode =
  | "UNKNOWN_ACTION"
  | "OTHER_SERVICE_ACTION"
  | "SUPER_USER_GRANT"
  | "UNUSED_GRANT"
  | "BROADER_THAN_USE"
  | "USAGE_NOT_REVIEWED"
  | TrustFindingCode;

/** error: the policy is wrong as written; warning: it grants more than needed; info: worth knowing. */
export type PolicyFindingSeverity = "error" | "warning" | "info";

export interface PolicyLintFinding {
  code: PolicyFindingCode;
  severity: PolicyFindingSeverity;
  principal: string;
  /** The identity policy's name, or {@link TRUST_POLICY_NAME} for a role's trust policy. */
  policyName: string;
  statement: string;
  message: string;
}

/** What lint findings name a role's trust policy by: no policy name can have parentheses. */
export const TRUST_POLICY_NAME = "(trust policy)";

/**
 * The session name who-can evaluates a role's access with: policies see a session of the role
 * (`aws:PrincipalArn` the role, `aws:PrincipalType` AssumedRole, the role's tags).
 */
const REVIEW_SESSION_NAME = "coffer-access-review";

const dayMs = 24 * 60 * 60 * 1000;
const maxEventsReviewed = 50_000;
/** Role sessions' calls are found by reading every successful call of the period, up to this many. */
const maxEventsReviewedForRoles = 200_000;

type Call = { action: string; resource: string };

/**
 * Least privilege made visible: who can perform an action on a secret and through which statement,
 * and which identity policies grant more than the audit trail shows is used.
 */
export class AccessReview {
  constructor(
    private readonly deps: {
      identity: IdentityStore;
      authorizer: Authorizer;
      queryAudit: (query: AuditQuery) => Promise<AuditPage>;
      now: () => number;
    },
  ) {}

  /**
   * Every principal allowed `action` on the secret. Conditions on the request (source address,
   * time of day) are evaluated as for a request made now without a source address.
   */
  async whoCan(secret: SecretRecord, action = "secretsmanager:GetSecretValue"): Promise<AccessGrant[]> {
    const target: AccessTarget = {
      arn: secret.arn,
      name: secret.name,
      tags: secret.tags,
      resourcePolicy: secret.resourcePolicy,
    };
    const grants: AccessGrant[] = [];
    for (const principal of await this.deps.identity.listPrincipals()) {
      // A role acts only through its sessions: ask as one (session tags aside, which each session brings).
      const asArn = principal.kind === "role" ? reviewSessionArn(principal) : principal.arn;
      const { result } = await this.deps.authorizer.evaluate(asArn, action, target, {
        "secretsmanager:SecretId": secret.arn,
      });
      if (result.decision !== "allow" || !result.matched) continue;
      grants.push({
        principal: principal.arn,
        kind: principal.kind,
        source: result.matched.source,
        policyName: result.matched.policyName,
        sid: result.matched.sid,
      });
    }
    return grants;
  }

  /**
   * Identity policies of users and roles (a role's use is its sessions' calls), and roles' trust
   * policies (trust-lint.ts: who could become the role).
   */
  async lint(options: { unusedDays: number }): Promise<PolicyLintFinding[]> {
    const findings: PolicyLintFinding[] = [];
    const since = this.deps.now() - options.unusedDays * dayMs;
    const principals = await this.deps.identity.listPrincipals();
    const roles = principals.filter((principal) => principal.kind === "role");
    const roleUsage = roles.length > 0 ? await this.roleSessionsUsedSince(since) : undefined;
    const providerArns =
      roles.length > 0
        ? new Set((await this.deps.identity.listOidcProviders()).map((provider) => provider.arn))
        : new Set<string>();
    for (const principal of principals) {
      const stored = await this.deps.identity.listPolicies(principal.arn);
      let used: Call[] | undefined;
      if (principal.kind !== "role") used = await this.usedSince(principal.arn, since);
      else {
        findings.push(...trustFindings(principal, providerArns));
        if (roleUsage?.complete) used = roleUsage.byRole.get(principal.arn) ?? [];
        else if (stored.length > 0) {
          findings.push({
            code: "USAGE_NOT_REVIEWED",
            severity: "info",
            principal: principal.arn,
            policyName: "*",
            statement: "*",
            message: `More than ${maxEventsReviewedForRoles.toLocaleString("en-US")} calls succeeded in the last ${options.unusedDays} days, so the use of this role's sessions was not reviewed (no unused or broader-than-use findings for it); lint with a smaller --unused-days.`,
          });
        }
      }
      findings.push(...this.identityPolicyFindings(principal, stored, used, options.unusedDays));
    }
    return findings;
  }

  private identityPolicyFindings(
    principal: PrincipalRecord,
    policies: ReadonlyArray<{ policyName: string; document: string }>,
    /** undefined: use unknown, so no finding about it. */
    used: Call[] | undefined,
    unusedDays: number,
  ): PolicyLintFinding[] {
    const findings: PolicyLintFinding[] = [];
    const holders =
      principal.kind === "role" ? "whoever can assume this role" : "whoever holds this principal's keys";
    for (const stored of policies) {
      let policy: Policy;
      try {
        policy = parsePolicy(stored.document, { kind: "identity", name: stored.policyName });
      } catch {
        continue;
      }
      policy.statements.forEach((statement, index) => {
        const label = statement.sid ?? `Statement[${index}]`;
        const at = { principal: principal.arn, policyName: stored.policyName, statement: label };
        findings.push(...actionFindings(statement, at));
        if (statement.effect !== "Allow") return;
        if (isSuperUserGrant(statement)) {
          findings.push({
            ...at,
            code: "SUPER_USER_GRANT",
            severity: "warning",
            message: `Allows every Secrets Manager action on every secret: ${holders} can read and destroy everything.`,
          });
        }
        if (used === undefined) return;
        const covered = used.filter((call) => statementCovers(statement, call));
        if (covered.length === 0) {
          findings.push({
            ...at,
            code: "UNUSED_GRANT",
            severity: "warning",
            message: `No call in the last ${unusedDays} days used this grant; remove it if it is not needed.`,
          });
          return;
        }
        const grantedActions = statementActions(statement);
        const usedActions = [...new Set(covered.map((call) => call.action.split(":")[1] ?? ""))].sort();
        if (grantedActions.length > usedActions.length) {
          const resources = [...new Set(covered.map((call) => call.resource))].sort();
          findings.push({
            ...at,
            code: "BROADER_THAN_USE",
            severity: "warning",
            message: `Grants ${grantedActions.length} actions, but only ${usedActions.join(", ")} on ${resources.length} secret(s) were used in the last ${unusedDays} days; consider narrowing it to those.`,
          });
        }
      });
    }
    return findings;
  }

  /** Successful calls by a principal since a time, as (action, resource) pairs. */
  private async usedSince(principal: string, since: number): Promise<Call[]> {
    const calls: Call[] = [];
    let after: number | undefined;
    do {
      const page = await this.deps.queryAudit({
        principal,
        outcome: "success",
        from: new Date(since),
        limit: 1000,
        after,
      });
      for (const { event } of page.events) calls.push(callOf(event));
      after = page.nextAfter;
    } while (after !== undefined && calls.length < maxEventsReviewed);
    return calls;
  }

  /**
   * The distinct calls each role's sessions made successfully since a time. A session's calls are
   * recorded under its own ARN (`assumed-role/<role>/<session>`), one per session name, so this
   * reads every successful call of the period; `complete` is false when there were too many.
   */
  private async roleSessionsUsedSince(
    since: number,
  ): Promise<{ byRole: Map<string, Call[]>; complete: boolean }> {
    const seen = new Map<string, Map<string, Call>>();
    let reviewed = 0;
    let after: number | undefined;
    do {
      const page = await this.deps.queryAudit({
        outcome: "success",
        from: new Date(since),
        limit: 1000,
        after,
      });
      for (const { event } of page.events) {
        const role = roleOfSession(event.userIdentity.arn)?.roleArn;
        if (role === undefined) continue;
        const call = callOf(event);
        const calls = seen.get(role) ?? new Map<string, Call>();
        calls.set(`${call.action} ${call.resource}`, call);
        seen.set(role, calls);
      }
      reviewed += page.events.length;
      after = page.nextAfter;
    } while (after !== undefined && reviewed < maxEventsReviewedForRoles);
    const byRole = new Map([...seen].map(([role, calls]) => [role, [...calls.values()]]));
    return { byRole, complete: after === undefined };
  }
}

/** The action (and the secret, or `*`) an audited call used. */
function callOf(event: AuditPage["events"][number]["event"]): Call {
  const resource = event.resources?.[0]?.ARN ?? "*";
  // Both APIs share the trail's eventSource: an operation Secrets Manager lacks is Coffer's own.
  const action = canonicalAction(`secretsmanager:${event.eventName}`) ?? `coffer:${event.eventName}`;
  return { action, resource };
}

function reviewSessionArn(role: PrincipalRecord): string {
  const account = role.arn.split(":")[4] ?? "";
  return assumedRoleArn(account, role.name, REVIEW_SESSION_NAME);
}

/** A role's trust policy, linted; one that no longer parses lets nobody in, so it says nothing here. */
function trustFindings(role: PrincipalRecord, providerArns: ReadonlySet<string>): PolicyLintFinding[] {
  const document = role.role?.trustPolicy;
  if (document === undefined) return [];
  let policy: Policy;
  try {
    policy = parsePolicy(document, { kind: "resource", trust: true });
  } catch {
    return [];
  }
  return trustPolicyFindings(policy, providerArns).map((finding) => {
    const statement = policy.statements[finding.statementIndex];
    return {
      code: finding.code,
      severity: finding.severity,
      principal: role.arn,
      policyName: TRUST_POLICY_NAME,
      statement: statement?.sid ?? `Statement[${finding.statementIndex}]`,
      message: finding.message,
    };
  });
}

/**
 * Actions that do not exist (an error, as IAM Access Analyzer reports them; policies stored before
 * PutUserPolicy checked actions may still hold some) and actions of other AWS services, which are
 * valid IAM but grant nothing in Coffer.
 */
function actionFindings(
  statement: Statement,
  at: { principal: string; policyName: string; statement: string },
): PolicyLintFinding[] {
  const findings: PolicyLintFinding[] = [];
  for (const action of statement.action ?? statement.notAction ?? []) {
    const status = actionStatus(action);
    if (status.kind === "unknown") {
      findings.push({
        ...at,
        code: "UNKNOWN_ACTION",
        severity: "error",
        message: `${unknownActionMessage(action, status)} It matches nothing, so it ${statement.effect === "Allow" ? "grants" : "denies"} nothing; fix it.`,
      });
    } else if (status.kind === "other-service") {
      findings.push({
        ...at,
        code: "OTHER_SERVICE_ACTION",
        severity: "info",
        message: `"${action}" is an action of another AWS service (${status.service}); it grants nothing in Coffer.`,
      });
    }
  }
  return findings;
}

function statementCovers(statement: Statement, call: { action: string; resource: string }): boolean {
  const actions = compileGlobSet(statement.action ?? statement.notAction ?? [], { ignoreCase: true });
  const actionMatches = actions(call.action.toLowerCase()) === (statement.action !== undefined);
  const resources = compileGlobSet(statement.resource ?? statement.notResource ?? [], { arn: true });
  const resourceMatches = resources(call.resource) === (statement.resource !== undefined);
  return actionMatches && resourceMatches;
}
