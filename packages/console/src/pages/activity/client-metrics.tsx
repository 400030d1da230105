import type { ClientReport } from "./activity-api.js";
import { count, formatTime, shortPrincipal } from "./activity-format.js";
import { OperationError } from "./operation-error.js";
import "../../charts/data-table.css";

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
          <div className="table-wrap">
            <table className="stack">
              <thead>
                <tr>
                  <th scope="col">Client</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Caller</th>
                  <th scope="col">Cold starts</th>
                  <th scope="col">Cache hits</th>
                  <th scope="col">Cache misses</th>
                  <th scope="col">Hit ratio</th>
                  <th scope="col">Last report</th>
                </tr>
              </thead>
              <tbody>
                {props.clients.map((c) => (
                  <tr key={`${c.ClientId}|${c.Caller}`}>
                    <td data-label="Client">
                      <code>{c.ClientId}</code>
                    </td>
                    <td data-label="Kind">{c.Kind}</td>
                    <td data-label="Caller">{shortPrincipal(c.Caller)}</td>
                    <td data-label="Cold starts">{c.ColdStarts}</td>
                    <td data-label="Cache hits">{c.CacheHits}</td>
                    <td data-label="Cache misses">{c.CacheMisses}</td>
                    <td data-label="Hit ratio">{ratio(c.CacheHits, c.CacheMisses)}</td>
                    <td data-label="Last report">{formatTime(c.LastReportTime)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </section>
  );
}

function ratio(hits: number, misses: number): string {
  const all = hits + misses;
  return all === 0 ? "—" : `${((100 * hits) / all).toFixed(1)} %`;
}
