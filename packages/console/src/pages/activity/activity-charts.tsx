import { useMemo } from "react";
import { type ChartSeries, TimeChart } from "../../charts/time-chart.js";
import type { Activity } from "./activity-api.js";
import { count, formatTime } from "./activity-format.js";
import type { Filters } from "./filter-form.js";

const requestSeries: ChartSeries[] = [
  { label: "Requests", color: "#0b4f9c" },
  { label: "Errors", color: "#a4161a", dash: [6, 3] },
  { label: "Denials", color: "#c75000", dash: [2, 3] },
];
const latencySeries: ChartSeries[] = [
  { label: "Latency p50", color: "#1e6b34", unit: "ms", sparse: true },
  { label: "Latency p95", color: "#6b2e9c", dash: [6, 3], unit: "ms", sparse: true },
];

export function ActivityCharts(props: {
  activity: { data: Activity; start: number; end: number } | undefined;
  filters: Filters;
  onZoom: (start: number, end: number) => void;
}) {
  const buckets = props.activity?.data.Buckets ?? [];
  const times = useMemo(() => buckets.map((b) => b.Time), [buckets]);
  const requestValues = useMemo(
    () => [buckets.map((b) => b.Requests), buckets.map((b) => b.Errors), buckets.map((b) => b.Denials)],
    [buckets],
  );
  const latencyValues = useMemo(
    () => [buckets.map((b) => b.LatencyP50Ms ?? null), buckets.map((b) => b.LatencyP95Ms ?? null)],
    [buckets],
  );
  const total = props.activity?.data.TotalRequests;
  const errors = buckets.reduce((sum, b) => sum + b.Errors, 0);
  const denials = buckets.reduce((sum, b) => sum + b.Denials, 0);
  const p50 = maxOf(buckets.map((b) => b.LatencyP50Ms));
  const p95 = maxOf(buckets.map((b) => b.LatencyP95Ms));
  const span = props.activity
    ? `from ${formatTime(props.activity.start)} to ${formatTime(props.activity.end)}`
    : "not loaded";
  const scope = [
    props.filters.secret !== "" ? `secret ${props.filters.secret}` : "",
    props.filters.caller !== "" ? `caller ${props.filters.caller}` : "",
  ]
    .filter((s) => s !== "")
    .join(", ");
  const requestSummary =
    total === undefined
      ? "No data loaded."
      : `${count(total, "request")}, ${count(errors, "error")}, ${count(denials, "denial")} ${span}${scope ? ` for ${scope}` : ""}.`;
  const latencySummary =
    p95 === undefined
      ? `No latency measured ${span}.`
      : `Highest p50 latency ${p50?.toFixed(1)} ms, highest p95 ${p95.toFixed(1)} ms ${span}.`;

  return (
    <>
      {props.activity && total === 0 ? (
        <div className="alert alert-info">
          {scope ? (
            <p>No requests for {scope} in this range. Clear the filters or pick a longer time range.</p>
          ) : (
            <>
              <p>No requests in this range. Make a request with the aws CLI, for example:</p>
              <pre>
                <code>aws --endpoint-url {window.location.origin} secretsmanager list-secrets</code>
              </pre>
              <p>It appears here within 10 seconds.</p>
            </>
          )}
        </div>
      ) : null}
      {props.activity?.data.Truncated ? (
        <p className="alert alert-info">
          This range holds more audit events than are counted at once: the figures cover part of it. Pick a
          shorter range or zoom in.
        </p>
      ) : null}
      <div className="chart-grid">
        <TimeChart
          title="Requests, errors and denials"
          summary={requestSummary}
          times={times}
          series={requestSeries}
          values={requestValues}
          onZoom={props.onZoom}
          dataAttributes={{
            "data-testid": "requests-chart",
            ...(total !== undefined ? { "data-total-requests": String(total) } : {}),
          }}
        >
          <div className="visually-hidden">
            <table>
              <caption>Totals {span}</caption>
              <tbody>
                <tr>
                  <th scope="row">Requests</th>
                  <td>{total ?? "—"}</td>
                </tr>
                <tr>
                  <th scope="row">Errors</th>
                  <td>{total === undefined ? "—" : errors}</td>
                </tr>
                <tr>
                  <th scope="row">Denials</th>
                  <td>{total === undefined ? "—" : denials}</td>
                </tr>
              </tbody>
            </table>
          </div>
        </TimeChart>
        <TimeChart
          title="Latency (p50 and p95)"
          summary={latencySummary}
          times={times}
          series={latencySeries}
          values={latencyValues}
          onZoom={props.onZoom}
          dataAttributes={{ "data-testid": "latency-chart" }}
        >
          <div className="visually-hidden">
            <table>
              <caption>Highest latency {span}</caption>
              <tbody>
                <tr>
                  <th scope="row">p50</th>
                  <td>{p50 === undefined ? "—" : `${p50.toFixed(1)} ms`}</td>
                </tr>
                <tr>
                  <th scope="row">p95</th>
                  <td>{p95 === undefined ? "—" : `${p95.toFixed(1)} ms`}</td>
                </tr>
              </tbody>
            </table>
          </div>
        </TimeChart>
      </div>
    </>
  );
}

function maxOf(values: (number | null | undefined)[]): number | undefined {
  const numbers = values.filter((v): v is number => typeof v === "number");
  return numbers.length === 0 ? undefined : Math.max(...numbers);
}
