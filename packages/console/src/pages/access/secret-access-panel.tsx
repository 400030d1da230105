import { useCallback, useEffect, useState } from "react";
import { callCoffer } from "../../api/index.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { AccessLink, PrincipalLink } from "./access-links.js";
import "./access.css";
import "../../charts/data-table.css";

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
          <div className="table-wrap">
            <table className="stack" aria-label={`Who can perform ${reply.Action} on ${props.secretName}`}>
              <caption className="visually-hidden">
                Principals allowed {reply.Action} on {props.secretName}, and the statement that allows it
              </caption>
              <thead>
                <tr>
                  <th scope="col">Principal</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Action</th>
                  <th scope="col">Granted by</th>
                  <th scope="col">Statement</th>
                </tr>
              </thead>
              <tbody>
                {reply.Principals.map((grant) => (
                  <tr key={`${grant.Principal}|${grant.Source}|${grant.PolicyName ?? ""}|${grant.Sid ?? ""}`}>
                    <td data-label="Principal">
                      <PrincipalLink arn={grant.Principal} />
                      <div className="hint">
                        <code>{grant.Principal}</code>
                      </div>
                    </td>
                    <td data-label="Kind">{grant.Kind}</td>
                    <td data-label="Action">
                      <code>{reply.Action}</code>
                    </td>
                    <td data-label="Granted by">
                      <GrantSource grant={grant} />
                    </td>
                    <td data-label="Statement">
                      {grant.Sid ? <code>{grant.Sid}</code> : <span className="hint">(no Sid)</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
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
