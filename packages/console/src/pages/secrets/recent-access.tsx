import { callCoffer } from "../../api/client.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { type StackedColumn, StackedTable } from "../../components/stacked-table.js";
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

const columns: StackedColumn<{ event: AuditEvent; index: number }>[] = [
  { label: "Time", cell: ({ event }) => formatInstant(event.eventTime) },
  { label: "Action", cell: ({ event }) => event.eventName },
  { label: "Caller", cell: ({ event }) => <code>{event.userIdentity?.arn ?? "anonymous"}</code> },
  { label: "Outcome", cell: ({ event }) => event.errorCode ?? "OK" },
  { label: "Source", cell: ({ event }) => event.sourceIPAddress },
];

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
        // A table.stack: on a narrow screen each event stacks into a block instead of scrolling sideways.
        <StackedTable
          columns={columns}
          rows={events.map(({ Event: event }, index) => ({ event, index }))}
          rowKey={(row) => String(row.index)}
          caption={<>Recent access to {props.secret.Name}</>}
        />
      ) : null}
    </section>
  );
}
