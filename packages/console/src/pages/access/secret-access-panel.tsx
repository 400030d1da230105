import { useCallback, useEffect, useState } from "react";
import { callCoffer } from "../../api/index.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { StackedTable } from "../../components/stacked-table.js";
import { AccessLink, PrincipalLink } from "./access-links.js";
import "./access.css";

interface Grant {
  Principal: string;
  Kind: string;
  Source: "identity" | "resource" | string;
  PolicyName?: string;
  Sid?: string;
}

interface WhoCanAccessReply {
  ARN: string;
  Name: string;
  Action: string;
  Principals: Grant[];
}

const actions = [
  "secretsmanager:GetSecretValue",
  "secretsmanager:DescribeSecret",
  "secretsmanager:PutSecretValue",
  "secretsmanager:UpdateSecret",
  "secretsmanager:DeleteSecret",
  "secretsmanager:RotateSecret",
  "secretsmanager:PutResourcePolicy",
];

/**
 * Who can perform an action (by default read the value) on this secret, and through which
 * statement: coffer WhoCanAccess, evaluated by the server with the caller's own rights.
 */
export function SecretAccessPanel(props: { secretArn: string; secretName: string }) {
  const [action, setAction] = useState(actions[0] ?? "secretsmanager:GetSecretValue");
  const [reply, setReply] = useState<WhoCanAccessReply>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);

  const load = useCallback(
    async (signal?: AbortSignal) => {
      setLoading(true);
      setError(undefined);
      try {
        const result = await callCoffer<WhoCanAccessReply>(
          "WhoCanAccess",
          { SecretId: props.secretArn, Action: action },
          { signal },
        );
        setReply(result);
      } catch (caught) {
        if (signal?.aborted) return;
        setReply(undefined);
        setError(caught);
      } finally {
        if (!signal?.aborted) setLoading(false);
      }
    },
    [props.secretArn, action],
  );

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  return (
    <section aria-labelledby="secret-access-title" data-secret-arn={props.secretArn}>
      <h2 id="secret-access-title">Who can access</h2>
      <div className="row">
        <div className="field">
          <label htmlFor="who-can-action">Action</label>
          <select id="who-can-action" value={action} onChange={(event) => setAction(event.target.value)}>
            {actions.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <button type="button" onClick={() => void load()} disabled={loading}>
          Refresh
        </button>
      </div>
      <ErrorAlert error={error} context="Who can access" />
      {loading && !reply ? <p aria-live="polite">Checking policies…</p> : null}
      {reply ? (
        reply.Principals.length === 0 ? (
          <p>
            Nobody can perform <code>{reply.Action}</code> on {props.secretName}.
          </p>
        ) : (
          <StackedTable
            aria-label={`Who can perform ${reply.Action} on ${props.secretName}`}
            caption={
              <>
                Principals allowed {reply.Action} on {props.secretName}, and the statement that allows it
              </>
            }
            rows={reply.Principals}
            rowKey={(grant) =>
              `${grant.Principal}|${grant.Source}|${grant.PolicyName ?? ""}|${grant.Sid ?? ""}`
            }
            columns={[
              {
                label: "Principal",
                cell: (grant) => (
                  <>
                    <PrincipalLink arn={grant.Principal} />
                    <div className="hint">
                      <code>{grant.Principal}</code>
                    </div>
                  </>
                ),
              },
              { label: "Kind", cell: (grant) => grant.Kind },
              { label: "Action", cell: () => <code>{reply.Action}</code> },
              { label: "Granted by", cell: (grant) => <GrantSource grant={grant} /> },
              {
                label: "Statement",
                cell: (grant) =>
                  grant.Sid ? <code>{grant.Sid}</code> : <span className="hint">(no Sid)</span>,
              },
            ]}
          />
        )
      ) : null}
    </section>
  );
}

function GrantSource(props: { grant: Grant }) {
  const { grant } = props;
  if (grant.Source === "resource") return <>this secret's resource policy</>;
  const [, kind, name] = /:(user|role)\/(?:.*\/)?([^/]+)$/.exec(grant.Principal) ?? [];
  const policy = grant.PolicyName ?? "(identity policy)";
  if (kind === "user" && name) {
    return (
      <>
        identity policy <AccessLink to={{ user: name }}>{policy}</AccessLink>
      </>
    );
  }
  if (kind === "role" && name) {
    return (
      <>
        role policy <AccessLink to={{ role: name }}>{policy}</AccessLink>
      </>
    );
  }
  return <>identity policy {policy}</>;
}
