/**
 * Whether the actions a policy names exist, as IAM checks them when a policy is put: an action of a
 * service Coffer authorizes (`secretsmanager:`, `coffer:`) must be one of its actions, and a pattern
 * with `*`/`?` must match at least one. Actions of other AWS services (`kms:Decrypt`, `s3:GetObject`)
 * are accepted — they are commonly pasted next to Secrets Manager actions — and grant nothing here;
 * so is a pattern whose service part has a wildcard, which may name any service.
 */
import { MalformedPolicyDocumentException } from "../../errors/catalog.js";
import { closest, serviceActions } from "./catalog.js";
import { formatPath } from "./parse.js";
import type { Policy, PolicyPath, Statement } from "./types.js";
import { compileGlob, hasWildcard } from "./wildcard.js";

export type ActionStatus =
  /** `*`, a service pattern, or an action (or pattern) of a service Coffer authorizes that names a real action. */
  | { kind: "known" }
  /** Of a service Coffer authorizes, but no such action (or the pattern matches none). */
  | { kind: "unknown"; service: string; suggestion?: string }
  /** Of another service: valid IAM, but grants nothing in Coffer. */
  | { kind: "other-service"; service: string };

const SERVICE_TITLES: Record<string, string> = {
  secretsmanager: "Secrets Manager",
  coffer: "Coffer admin",
};

/** What `action` (as written in a policy: `service:Name`, with wildcards, or `*`) refers to. */
export function actionStatus(action: string): ActionStatus {
  if (action === "*") return { kind: "known" };
  const colon = action.indexOf(":");
  const service = colon === -1 ? action : action.slice(0, colon);
  // A service pattern (`secrets*:…`, `*:…`) may name any service: nothing to check.
  if (hasWildcard(service)) return { kind: "known" };
  const known = serviceActions(service);
  if (known === undefined) return { kind: "other-service", service };
  const matches = compileGlob(action, { ignoreCase: true });
  if (known.some((candidate) => matches(candidate.toLowerCase()))) return { kind: "known" };
  const lower = service.toLowerCase();
  const suggestion = hasWildcard(action) ? undefined : suggestAction(action, known);
  return suggestion === undefined
    ? { kind: "unknown", service: lower }
    : { kind: "unknown", service: lower, suggestion };
}

/** The closest real action of the same service, for a "did you mean". */
function suggestAction(action: string, known: readonly string[]): string | undefined {
  const name = action.slice(action.indexOf(":") + 1);
  const service = known[0]?.slice(0, known[0].indexOf(":")) ?? "";
  // Compare the part after the colon, so a long service prefix does not widen the allowed distance.
  const names = known.map((candidate) => candidate.slice(candidate.indexOf(":") + 1));
  const best = closest(name, names);
  return best === undefined ? undefined : `${service}:${best}`;
}

/** One line for people: why `action` is rejected. Only for an "unknown" status. */
export function unknownActionMessage(
  action: string,
  status: Extract<ActionStatus, { kind: "unknown" }>,
): string {
  const title = SERVICE_TITLES[status.service] ?? status.service;
  if (hasWildcard(action)) return `"${action}" matches no ${title} action.`;
  return `"${action}" is not a ${title} action${status.suggestion ? `; did you mean "${status.suggestion}"?` : "."}`;
}

export interface UnknownAction {
  action: string;
  path: PolicyPath;
  message: string;
}

/** Every action (or NotAction entry) of the policy that names no real action of its service. */
export function unknownActionsOf(policy: Policy, pathOf: (index: number) => PolicyPath): UnknownAction[] {
  const problems: UnknownAction[] = [];
  policy.statements.forEach((statement: Statement, index) => {
    const element = statement.action ? "Action" : "NotAction";
    const actions = statement.action ?? statement.notAction ?? [];
    actions.forEach((action, i) => {
      const status = actionStatus(action);
      if (status.kind !== "unknown") return;
      const at = pathOf(index);
      problems.push({
        action,
        path: actions.length > 1 ? [...at, element, i] : [...at, element],
        message: unknownActionMessage(action, status),
      });
    });
  });
  return problems;
}

/**
 * Throws MalformedPolicyDocumentException naming the first unknown actions (IAM's answer to
 * PutUserPolicy / PutResourcePolicy with an action that does not exist). Called where a policy is
 * put, never where a stored one is loaded, so policies stored before this check keep working.
 */
export function assertKnownActions(policy: Policy): void {
  const problems = unknownActionsOf(policy, (index) =>
    policy.statements.length > 1 ? ["Statement", index] : ["Statement"],
  );
  if (problems.length === 0) return;
  const shown = problems.slice(0, 3).map((p) => `${formatPath(p.path)}: ${p.message}`);
  const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : "";
  throw new MalformedPolicyDocumentException(`${shown.join(" ")}${more}`);
}
