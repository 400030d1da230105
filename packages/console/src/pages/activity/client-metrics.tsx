import { StackedTable } from "../../components/stacked-table.js";
import type { ClientReport } from "./activity-api.js";
import { count, formatTime, shortPrincipal } from "./activity-format.js";
import { OperationError } from "./operation-error.js";

export function ClientMetrics(props: { clients: ClientReport[] | undefined; error: unknown }) {
  const totals = (props.clients ?? []).reduce(
    (sum, c) => ({
      cold: sum.cold + c.ColdStarts,
      hits: sum.hits + c.CacheHits,
      misses: sum.misses + c.CacheMisses,
    }),
    { cold: 0, hits: 0, misses: 0 },
  );
  return (
    <section aria-labelledby="client-metrics-title">
      <h2 id="client-metrics-title">Client reports</h2>
      <p className="hint">
        Cold starts and cache hits that @coffer/client and the agent report, in this range.
      </p>
      {props.error ? <OperationError error={props.error} operation="GetClientMetrics" /> : null}
      {props.clients && props.clients.length === 0 ? (
        <p className="alert alert-info">
          No client reported metrics in this range. Enable <code>reportMetrics</code> in @coffer/client or run
          the agent with <code>--report-metrics</code>.
        </p>
      ) : null}
      {props.clients && props.clients.length > 0 ? (
        <>
          <p>
            {count(props.clients.length, "client")}: {count(totals.cold, "cold start")}, cache hit ratio{" "}
            {ratio(totals.hits, totals.misses)}.
          </p>
          <StackedTable
            rows={props.clients}
            rowKey={(c) => `${c.ClientId}|${c.Caller}`}
            columns={[
              { label: "Client", cell: (c) => <code>{c.ClientId}</code> },
              { label: "Kind", cell: (c) => c.Kind },
              { label: "Caller", cell: (c) => shortPrincipal(c.Caller) },
              { label: "Cold starts", cell: (c) => c.ColdStarts },
              { label: "Cache hits", cell: (c) => c.CacheHits },
              { label: "Cache misses", cell: (c) => c.CacheMisses },
              { label: "Hit ratio", cell: (c) => ratio(c.CacheHits, c.CacheMisses) },
              { label: "Last report", cell: (c) => formatTime(c.LastReportTime) },
            ]}
          />
        </>
      ) : null}
    </section>
  );
}

function ratio(hits: number, misses: number): string {
  const all = hits + misses;
  return all === 0 ? "—" : `${((100 * hits) / all).toFixed(1)} %`;
}
