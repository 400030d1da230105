import { callCoffer } from "../../api/client.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { formatInstant } from "../../format/dates.js";
import { useApi } from "../../hooks/use-api.js";
import type { SecretDescription } from "./secret-types.js";

interface AuditEvent {
  eventTime?: string;
  eventName?: string;
  errorCode?: string;
  sourceIPAddress?: string;
  userAgent?: string;
  userIdentity?: { arn?: string };
}

/** The secret's recent reads and changes from the audit trail (coffer QueryAuditEvents), newest first. */
export function RecentAccess(props: { secret: SecretDescription }) {
  const { data, error, loading, reload } = useApi(
    (signal) =>
      callCoffer<{ Events?: Array<{ Event: AuditEvent }> }>(
        "QueryAuditEvents",
        { SecretId: props.secret.ARN, SortOrder: "desc", MaxResults: 25 },
        { signal },
      ),
    [props.secret.ARN],
  );
  const events = data?.Events ?? [];
  return (
    <section className="panel" aria-labelledby="recent-access-title">
      <div className="page-head">
        <h2 id="recent-access-title">Recent access</h2>
        <button type="button" onClick={reload} disabled={loading}>
          Refresh
        </button>
      </div>
      <ErrorAlert error={error} context="Could not read the audit trail" />
      {data && events.length === 0 ? <p>No recorded access yet.</p> : null}
      {events.length > 0 ? (
        <div className="table-wrap">
          <table className="recent-access">
            <caption className="visually-hidden">Recent access to {props.secret.Name}</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Action</th>
                <th scope="col">Caller</th>
                <th scope="col">Outcome</th>
                <th scope="col">Source</th>
              </tr>
            </thead>
            <tbody>
              {events.map(({ Event: event }, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: events of one answer keep their order
                <tr key={index}>
                  <td>{formatInstant(event.eventTime)}</td>
                  <td>{event.eventName}</td>
                  <td>
                    <code>{event.userIdentity?.arn ?? "anonymous"}</code>
                  </td>
                  <td>{event.errorCode ?? "OK"}</td>
                  <td>{event.sourceIPAddress}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
