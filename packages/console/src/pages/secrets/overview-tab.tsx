import { type FormEvent, useState } from "react";
import { callSecretsManager } from "../../api/client.js";
import { ErrorAlert, StatusMessage } from "../../components/error-alert.js";
import { formatDate, formatDay } from "../../format/dates.js";
import type { SecretDescription } from "./secret-types.js";

/** Facts about the secret, restore when deletion is planned, and delete with a recovery window. */
export function OverviewTab(props: { secret: SecretDescription; onChanged: () => void }) {
  const { secret } = props;
  const [error, setError] = useState<unknown>(undefined);
  const [status, setStatus] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [windowDays, setWindowDays] = useState(30);
  const [force, setForce] = useState(false);
  const [confirmName, setConfirmName] = useState("");
  const planned = secret.DeletedDate !== undefined;
  const deletionDay = new Date(Date.now() + windowDays * 86_400_000).toISOString().slice(0, 10);

  const run = async (action: () => Promise<string>) => {
    setBusy(true);
    setError(undefined);
    setStatus(undefined);
    try {
      setStatus(await action());
      props.onChanged();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const restore = () =>
    run(async () => {
      await callSecretsManager("RestoreSecret", { SecretId: secret.ARN });
      return "Restored: the secret is usable again.";
    });

  const remove = (event: FormEvent) => {
    event.preventDefault();
    run(async () => {
      const reply = await callSecretsManager<{ DeletionDate?: number }>("DeleteSecret", {
        SecretId: secret.ARN,
        ...(force ? { ForceDeleteWithoutRecovery: true } : { RecoveryWindowInDays: windowDays }),
      });
      setConfirmName("");
      return force
        ? "Deleted without recovery."
        : `Scheduled for deletion on ${formatDate(reply.DeletionDate)}; restore it before then to keep it.`;
    });
  };

  return (
    <div>
      <dl className="facts">
        <dt>ARN</dt>
        <dd>
          <code>{secret.ARN}</code>
        </dd>
        <dt>Description</dt>
        <dd>{secret.Description ?? "—"}</dd>
        <dt>Encryption</dt>
        <dd>{secret.KmsKeyId ?? "Coffer's envelope encryption under its master key (no KMS key)"}</dd>
        <dt>Created</dt>
        <dd>{formatDate(secret.CreatedDate)}</dd>
        <dt>Last changed</dt>
        <dd>{formatDate(secret.LastChangedDate)}</dd>
        <dt>Last accessed</dt>
        <dd>{formatDay(secret.LastAccessedDate)}</dd>
        <dt>Rotation</dt>
        <dd>{secret.RotationEnabled ? "Enabled" : "Not enabled"}</dd>
        {planned ? (
          <>
            <dt>Deletion</dt>
            <dd>
              <span className="badge danger">Planned</span> marked for deletion{" "}
              {formatDate(secret.DeletedDate)}
            </dd>
          </>
        ) : null}
      </dl>
      <ErrorAlert error={error} />
      {status ? <StatusMessage>{status}</StatusMessage> : null}
      {planned ? (
        <section className="panel" aria-labelledby="restore-title">
          <h2 id="restore-title">Restore</h2>
          <p>Cancel the planned deletion; the secret and its versions become usable again.</p>
          <button type="button" className="primary" onClick={restore} disabled={busy}>
            Restore secret
          </button>
        </section>
      ) : (
        <section className="panel" aria-labelledby="delete-title">
          <h2 id="delete-title">Delete</h2>
          <form onSubmit={remove}>
            <div className="field">
              <label htmlFor="recovery-window">Recovery window (days)</label>
              <select
                id="recovery-window"
                value={windowDays}
                disabled={force}
                onChange={(event) => setWindowDays(Number(event.target.value))}
              >
                {Array.from({ length: 24 }, (_, index) => index + 7).map((days) => (
                  <option key={days} value={days}>
                    {days}
                  </option>
                ))}
              </select>
            </div>
            <div className="field checkbox">
              <label>
                <input type="checkbox" checked={force} onChange={(event) => setForce(event.target.checked)} />{" "}
                Delete at once, without recovery
              </label>
            </div>
            <p id="delete-effect">
              {force
                ? "The secret and every version are deleted now and cannot be restored."
                : `The secret stops working now and is deleted on ${deletionDay} unless you restore it before then.`}
            </p>
            <div className="field">
              <label htmlFor="delete-confirm">Type the secret's name to confirm</label>
              <input
                id="delete-confirm"
                value={confirmName}
                onChange={(event) => setConfirmName(event.target.value)}
                autoComplete="off"
                aria-describedby="delete-effect"
              />
            </div>
            <button type="submit" className="danger" disabled={busy || confirmName !== secret.Name}>
              {force ? "Delete now" : "Schedule deletion"}
            </button>
          </form>
        </section>
      )}
    </div>
  );
}
