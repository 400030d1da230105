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
import type { IdentityStore } from "../ports/identity-store.js";
import type { SecretRecord } from "../secrets/records.js";
import type { AccessTarget, Authorizer } from "./authorizer.js";

export interface AccessGrant {
  principal: string;
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
  | "BROADER_THAN_USE";

/** error: the policy is wrong as written; warning: it grants more than needed; info: worth knowing. */
export type PolicyFindingSeverity = "error" | "warning" | "info";

export interface PolicyLintFinding {
  code: PolicyFindingCode;
  severity: PolicyFindingSeverity;
  principal: string;
  policyName: string;
  statement: string;
  message: string;
}

const dayMs = 24 * 60 * 60 * 1000;
const maxEventsReviewed = 50_000;

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
      const { result } = await this.deps.authorizer.evaluate(principal.arn, action, target, {
        "secretsmanager:SecretId": secret.arn,
      });
      if (result.decision !== "allow" || !result.matched) continue;
      grants.push({
        principal: principal.arn,
        source: result.matched.source,
        policyName: result.matched.policyName,
        sid: result.matched.sid,
      });
    }
    return grants;
  }

  async lint(options: { unusedDays: number }): Promise<PolicyLintFinding[]> {
    const findings: PolicyLintFinding[] = [];
    const since = this.deps.now() - options.unusedDays * dayMs;
    for (const principal of await this.deps.identity.listPrincipals()) {
      const used = await this.usedSince(principal.arn, since);
      for (const stored of await this.deps.identity.listPolicies(principal.arn)) {
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
              message:
                "Allows every Secrets Manager action on every secret: whoever holds this principal's keys can read and destroy everything.",
            });
          }
          const covered = used.filter((call) => statementCovers(statement, call));
          if (covered.length === 0) {
            findings.push({
              ...at,
              code: "UNUSED_GRANT",
              severity: "warning",
              message: `No call in the last ${options.unusedDays} days used this grant; remove it if it is not needed.`,
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
              message: `Grants ${grantedActions.length} actions, but only ${usedActions.join(", ")} on ${resources.length} secret(s) were used in the last ${options.unusedDays} days; consider narrowing it to those.`,
            });
          }
        });
      }
    }
    return findings;
  }

  /** Successful calls by a principal since a time, as (action, resource) pairs. */
  private async usedSince(
    principal: string,
    since: number,
  ): Promise<Array<{ action: string; resource: string }>> {
    const calls: Array<{ action: string; resource: string }> = [];
    let after: number | undefined;
    do {
      const page = await this.deps.queryAudit({
        principal,
        outcome: "success",
        from: new Date(since),
        limit: 1000,
        after,
      });
      for (const { event } of page.events) {
        const resource = event.resources?.[0]?.ARN ?? "*";
        // Both APIs share the trail's eventSource: an operation Secrets Manager lacks is Coffer's own.
        const action = canonicalAction(`secretsmanager:${event.eventName}`) ?? `coffer:${event.eventName}`;
        calls.push({ action, resource });
      }
      after = page.nextAfter;
    } while (after !== undefined && calls.length < maxEventsReviewed);
    return calls;
  }
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
