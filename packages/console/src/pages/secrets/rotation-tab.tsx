import { useState } from "react";
import { callSecretsManager } from "../../api/client.js";
import { ErrorAlert, StatusMessage } from "../../components/error-alert.js";
import { formatDate } from "../../format/dates.js";
import type { SecretDescription } from "./secret-types.js";

/** Rotation status from DescribeSecret, and "Rotate now" (RotateSecret with the configured rotation). */
export function RotationTab(props: { secret: SecretDescription; onChanged: () => void }) {
  const { secret } = props;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [status, setStatus] = useState<string | undefined>(undefined);
  const rules = secret.RotationRules;

  const rotate = async () => {
    setBusy(true);
    setError(undefined);
    setStatus(undefined);
    try {
      const reply = await callSecretsManager<{ VersionId?: string }>("RotateSecret", {
        SecretId: secret.ARN,
        ClientRequestToken: crypto.randomUUID(),
      });
      setStatus(`Rotation started${reply.VersionId ? `: new version ${reply.VersionId}` : ""}.`);
      props.onChanged();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div>
      <dl className="facts">
        <dt>Status</dt>
        <dd>{secret.RotationEnabled ? "Enabled" : "Not enabled"}</dd>
        <dt>Rotation function</dt>
        <dd>{secret.RotationLambdaARN ? <code>{secret.RotationLambdaARN}</code> : "—"}</dd>
        <dt>Schedule</dt>
        <dd>
          {rules?.ScheduleExpression ??
            (rules?.AutomaticallyAfterDays ? `every ${rules.AutomaticallyAfterDays} days` : "—")}
          {rules?.Duration ? ` (window ${rules.Duration})` : ""}
        </dd>
        <dt>Last rotated</dt>
        <dd>{formatDate(secret.LastRotatedDate)}</dd>
        <dt>Next rotation</dt>
        <dd>{formatDate(secret.NextRotationDate)}</dd>
      </dl>
      <ErrorAlert error={error} />
      {status ? <StatusMessage>{status}</StatusMessage> : null}
      <div className="row actions">
        <button type="button" className="primary" onClick={rotate} disabled={busy}>
          {busy ? "Rotating…" : "Rotate now"}
        </button>
      </div>
      {!secret.RotationEnabled ? (
        <p className="hint">
          Rotation is configured with <code>aws secretsmanager rotate-secret --rotation-lambda-arn …</code> or{" "}
          <code>coffer</code>'s rotators (docs/rotation.md); without it, Rotate now reports the server's
          error.
        </p>
      ) : null}
    </div>
  );
}
