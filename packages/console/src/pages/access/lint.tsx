import { useId, useState } from "react";
import { callCoffer } from "../../api/index.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { StackedTable } from "../../components/stacked-table.js";
import { AccessLink, principalOfArn } from "./access-links.js";
import { useLoad } from "./use-call.js";

interface Finding {
  Code: string;
  Severity: "error" | "warning" | "info" | string;
  Principal: string;
  PolicyName: string;
  Statement: string;
  Message: string;
}

const severityOrder: Record<string, number> = { error: 0, warning: 1, info: 2 };

/** Policy lint findings (LintPolicies), each linked to the grant: the user or role and its policy. */
export function LintFindings() {
  const [unusedDays, setUnusedDays] = useState(90);
  const [draft, setDraft] = useState("90");
  const findings = useLoad(
    (signal) =>
      callCoffer<{ Findings: Finding[] }>("LintPolicies", { UnusedDays: unusedDays }, { signal }).then((r) =>
        [...r.Findings].sort((a, b) => (severityOrder[a.Severity] ?? 3) - (severityOrder[b.Severity] ?? 3)),
      ),
    [unusedDays],
  );
  const id = useId();
  const draftDays = Number(draft);
  const draftInvalid = !Number.isInteger(draftDays) || draftDays < 1 || draftDays > 3650;
  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Policy findings</h2>
      <p className="hint">
        Super-user grants, grants unused in the audit trail, grants broader than their use, and trust policies
        that let too many in.
      </p>
      <form
        className="row"
        onSubmit={(event) => {
          event.preventDefault();
          if (draftInvalid) return;
          if (draftDays === unusedDays) findings.reload();
          else setUnusedDays(draftDays);
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-days`}>Unused for (days)</label>
          <input
            id={`${id}-days`}
            inputMode="numeric"
            value={draft}
            aria-invalid={draftInvalid}
            onChange={(event) => setDraft(event.target.value)}
          />
        </div>
        <button type="submit" disabled={draftInvalid || findings.loading}>
          Check policies
        </button>
      </form>
      <ErrorAlert error={findings.error} context="Policy findings" />
      {findings.loading ? <p aria-live="polite">Checking policies…</p> : null}
      {findings.data && findings.data.length === 0 ? <p>No findings: every policy looks fine.</p> : null}
      {findings.data && findings.data.length > 0 ? (
        <StackedTable
          rows={findings.data}
          rowKey={(finding) =>
            `${finding.Principal}|${finding.PolicyName}|${finding.Statement}|${finding.Code}|${finding.Message}`
          }
          columns={[
            {
              label: "Severity",
              cell: (finding) => finding.Severity,
              cellClassName: (finding) => `severity-${finding.Severity}`,
            },
            {
              label: "Finding",
              cell: (finding) => (
                <>
                  <code>{finding.Code}</code>
                  <div>{finding.Message}</div>
                </>
              ),
            },
            {
              label: "Grant",
              cell: (finding) => <GrantLink principal={finding.Principal} policyName={finding.PolicyName} />,
            },
            { label: "Statement", cell: (finding) => <code>{finding.Statement}</code> },
          ]}
        />
      ) : null}
    </section>
  );
}

function GrantLink(props: { principal: string; policyName: string }) {
  const principal = principalOfArn(props.principal);
  const label = `${principal.kind === "other" ? props.principal : principal.name} · ${props.policyName}`;
  if (principal.kind === "user") return <AccessLink to={{ user: principal.name }}>{label}</AccessLink>;
  if (principal.kind === "role") return <AccessLink to={{ role: principal.name }}>{label}</AccessLink>;
  return <code>{label}</code>;
}
