import { useState } from "react";
import { callSecretsManager } from "../../api/client.js";
import { ErrorAlert, StatusMessage } from "../../components/error-alert.js";
import { pairsOf } from "../../components/secret-value.js";
import { ValueEditor } from "../../components/value-editor.js";
import { formatDate } from "../../format/dates.js";
import type { SecretDescription } from "./secret-types.js";

interface Revealed {
  versionId: string;
  stages: string[];
  createdDate?: number | undefined;
  secretString?: string | undefined;
  binaryBytes?: number | undefined;
}

/**
 * The value, hidden until "Reveal": only then is GetSecretValue called (an audited read, which the
 * Access tab's recent accesses show). The value lives in this component's state only, so leaving
 * the tab, the page or the session forgets it. Edit writes a new version (PutSecretValue).
 */
export function ValueTab(props: { secret: SecretDescription; onChanged: () => void }) {
  const [revealed, setRevealed] = useState<Revealed | undefined>(undefined);
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [status, setStatus] = useState<string | undefined>(undefined);

  const reveal = async () => {
    setBusy(true);
    setError(undefined);
    setStatus(undefined);
    try {
      const reply = await callSecretsManager<{
        VersionId: string;
        VersionStages?: string[];
        CreatedDate?: number;
        SecretString?: string;
        SecretBinary?: string;
      }>("GetSecretValue", { SecretId: props.secret.ARN });
      setRevealed({
        versionId: reply.VersionId,
        stages: reply.VersionStages ?? [],
        createdDate: reply.CreatedDate,
        secretString: reply.SecretString,
        binaryBytes:
          reply.SecretBinary === undefined ? undefined : Math.floor((reply.SecretBinary.length * 3) / 4),
      });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const hide = () => {
    setRevealed(undefined);
    setEditing(false);
  };

  const save = async (secretString: string) => {
    setBusy(true);
    setError(undefined);
    setStatus(undefined);
    try {
      const reply = await callSecretsManager<{ VersionId: string }>("PutSecretValue", {
        SecretId: props.secret.ARN,
        SecretString: secretString,
        ClientRequestToken: crypto.randomUUID(),
      });
      setRevealed({ versionId: reply.VersionId, stages: ["AWSCURRENT"], secretString });
      setEditing(false);
      setStatus(`Saved as version ${reply.VersionId}, now AWSCURRENT.`);
      props.onChanged();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const pairs = revealed?.secretString === undefined ? undefined : pairsOf(revealed.secretString);
  return (
    <div>
      <ErrorAlert error={error} />
      {status ? <StatusMessage>{status}</StatusMessage> : null}
      {!revealed ? (
        <div className="panel">
          <p>
            The value is hidden. <strong>Reveal</strong> reads it with GetSecretValue, which is recorded in
            the audit trail like any other read.
          </p>
          <button type="button" className="primary" onClick={reveal} disabled={busy}>
            {busy ? "Revealing…" : "Reveal value"}
          </button>
        </div>
      ) : editing && revealed.secretString !== undefined ? (
        <section aria-labelledby="edit-title">
          <h2 id="edit-title">Edit value</h2>
          <p className="hint">Saving writes a new version and moves AWSCURRENT to it.</p>
          <ValueEditor
            initial={revealed.secretString}
            saveLabel={busy ? "Saving…" : "Save new version"}
            busy={busy}
            onSave={save}
            onCancel={() => setEditing(false)}
          />
        </section>
      ) : (
        <section aria-labelledby="value-title">
          <h2 id="value-title">Value</h2>
          <p className="hint">
            Version <code>{revealed.versionId}</code> ({revealed.stages.join(", ")})
            {revealed.createdDate ? `, created ${formatDate(revealed.createdDate)}` : ""}
          </p>
          {revealed.binaryBytes !== undefined ? (
            <p>
              A binary value of about {revealed.binaryBytes} bytes; the console does not show binary values.
            </p>
          ) : pairs ? (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Key</th>
                    <th scope="col">Value</th>
                  </tr>
                </thead>
                <tbody>
                  {pairs.map(([key, value]) => (
                    <tr key={key}>
                      <td>
                        <code>{key}</code>
                      </td>
                      <td>
                        <code className="secret-value">{value}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <pre className="value">{revealed.secretString}</pre>
          )}
          <div className="row actions">
            {revealed.secretString !== undefined ? (
              <button type="button" className="primary" onClick={() => setEditing(true)}>
                Edit
              </button>
            ) : null}
            <button type="button" onClick={hide}>
              Hide value
            </button>
          </div>
        </section>
      )}
    </div>
  );
}
