import { formatTable, toJson } from "../output.js";
import type { AdminContext } from "./context.js";

interface Grant {
  Principal: string;
  /** user or role (absent from servers before roles). */
  Kind?: string;
  Source: string;
  PolicyName?: string;
  Sid?: string;
}

/** `user reader`, `role deploy (its sessions)`: who, in words; the ARN is in its own column. */
function principalText(grant: Grant): string {
  const name = grant.Principal.slice(grant.Principal.lastIndexOf("/") + 1);
  if (grant.Kind === "role") return `role ${name} (its sessions)`;
  if (grant.Kind === "user") return `user ${name}`;
  return name;
}

export async function runWhoCan(
  context: AdminContext,
  secret: string,
  options: { action?: string; json?: boolean },
) {
  const answer = (await context.admin("WhoCanAccess", { SecretId: secret, Action: options.action })) as {
    Action: string;
    Principals: Grant[];
  };
  if (options.json) {
    context.stdout.write(toJson(answer));
    return;
  }
  context.stderr.write(`Principals allowed ${answer.Action} on ${secret}:\n`);
  context.stdout.write(
    formatTable(
      ["Principal", "ARN", "Through", "Policy", "Statement"],
      answer.Principals.map((g) => [
        principalText(g),
        g.Principal,
        g.Source === "resource" ? "resource policy" : "identity policy",
        g.PolicyName ?? "-",
        g.Sid ?? "-",
      ]),
    ),
  );
}

interface Finding {
  Code: string;
  /** error, warning or info (absent from servers before severities). */
  Severity?: string;
  Principal: string;
  PolicyName: string;
  Statement: string;
  Message: string;
}

/** Exits 0 with no findings, else prints them and exits with a service error code, so CI can gate on it. */
export async function runPolicyLint(context: AdminContext, options: { unusedDays?: string; json?: boolean }) {
  const unusedDays = options.unusedDays === undefined ? undefined : Number(options.unusedDays);
  const { Findings } = (await context.admin("LintPolicies", { UnusedDays: unusedDays })) as {
    Findings: Finding[];
  };
  if (options.json) context.stdout.write(toJson(Findings));
  else if (Findings.length > 0) {
    context.stdout.write(
      formatTable(
        ["Severity", "Finding", "Principal", "Policy", "Statement", "Detail"],
        Findings.map((f) => [f.Severity ?? "-", f.Code, f.Principal, f.PolicyName, f.Statement, f.Message]),
      ),
    );
  } else context.stderr.write("No findings.\n");
  return Findings.length;
}
