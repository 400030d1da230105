import { useState } from "react";
import { callSecretsManager } from "../../api/client.js";
import { ErrorAlert, StatusMessage } from "../../components/error-alert.js";
import { formatDate, formatDay } from "../../format/dates.js";
import { useApi } from "../../hooks/use-api.js";
import type { SecretDescription, SecretVersion } from "./secret-types.js";

/** Versions with their staging labels (ListSecretVersionIds); "Make current" moves AWSCURRENT. */
export function VersionsTab(props: { secret: SecretDescription; onChanged: () => void }) {
  const { data, error, reload } = useApi(
    (signal) =>
      callSecretsManager<{ Versions?: SecretVersion[] }>(
        "ListSecretVersionIds",
        { SecretId: props.secret.ARN, IncludeDeprecated: true, MaxResults: 100 },
        { signal },
      ),
    [props.secret.ARN],
  );
  const [actionError, setActionError] = useState<unknown>(undefined);
  const [status, setStatus] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const versions = [...(data?.Versions ?? [])].sort((a, b) => (b.CreatedDate ?? 0) - (a.CreatedDate ?? 0));
  const current = versions.find((version) => version.VersionStages?.includes("AWSCURRENT"));

  const makeCurrent = async (version: SecretVersion) => {
    setBusy(true);
    setActionError(undefined);
    setStatus(undefined);
    try {
      await callSecretsManager("UpdateSecretVersionStage", {
        SecretId: props.secret.ARN,
        VersionStage: "AWSCURRENT",
        MoveToVersionId: version.VersionId,
        ...(current ? { RemoveFromVersionId: current.VersionId } : {}),
      });
      setStatus(`AWSCURRENT moved to version ${version.VersionId}.`);
      reload();
      props.onChanged();
    } catch (failure) {
      setActionError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div>
      <ErrorAlert error={error} context="Could not list versions" />
      <ErrorAlert error={actionError} />
      {status ? <StatusMessage>{status}</StatusMessage> : null}
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Versions</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Staging labels</th>
              <th scope="col">Created</th>
              <th scope="col">Last accessed</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {versions.map((version) => {
              const isCurrent = version.VersionStages?.includes("AWSCURRENT") ?? false;
              return (
                <tr key={version.VersionId}>
                  <td>
                    <code>{version.VersionId}</code>
                  </td>
                  <td>
                    {(version.VersionStages ?? []).length === 0 ? (
                      <span className="hint">none (deprecated)</span>
                    ) : null}
                    {(version.VersionStages ?? []).map((stage) => (
                      <span key={stage} className={stage === "AWSCURRENT" ? "badge current" : "badge"}>
                        {stage}
                      </span>
                    ))}
                  </td>
                  <td>{formatDate(version.CreatedDate)}</td>
                  <td>{formatDay(version.LastAccessedDate)}</td>
                  <td>
                    {isCurrent ? null : (
                      <button type="button" onClick={() => makeCurrent(version)} disabled={busy}>
                        {/* The name says which version; the visible text is part of it (WCAG 2.5.3). */}
                        Make <span className="visually-hidden">version {version.VersionId} </span>current
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="hint">
        Make current moves the AWSCURRENT label to that version; the version that had it gets AWSPREVIOUS.
      </p>
    </div>
  );
}
