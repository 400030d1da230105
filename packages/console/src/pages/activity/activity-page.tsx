import { useEffect, useId, useMemo, useState } from "react";
import { describeError } from "../../api/index.js";
import { BarList } from "../../charts/bar-list.js";
import { type ChartSeries, TimeChart } from "../../charts/time-chart.js";
import { ErrorAlert, StatusMessage } from "../../components/error-alert.js";
import { Link, secretPath } from "../../router.js";
import {
  type Activity,
  type ClientReport,
  getActivity,
  getClientMetrics,
  type IdleSecret,
  isUnknownOperation,
  listIdleSecrets,
} from "./activity-api.js";
import "./activity.css";
import "../../charts/data-table.css";

const ranges = [
  { id: "15m", label: "Last 15 minutes", seconds: 15 * 60 },
  { id: "1h", label: "Last hour", seconds: 60 * 60 },
  { id: "24h", label: "Last 24 hours", seconds: 24 * 60 * 60 },
  { id: "7d", label: "Last 7 days", seconds: 7 * 24 * 60 * 60 },
] as const;
type RangeId = (typeof ranges)[number]["id"];

/** The shortest range a drag selects: the activity API's smallest bucket is a minute. */
const minimumZoomSeconds = 120;
const refreshMilliseconds = 10_000;

const requestSeries: ChartSeries[] = [
  { label: "Requests", color: "#0b4f9c" },
  { label: "Errors", color: "#a4161a", dash: [6, 3] },
  { label: "Denials", color: "#c75000", dash: [2, 3] },
];
const latencySeries: ChartSeries[] = [
  { label: "Latency p50", color: "#1e6b34", unit: "ms", sparse: true },
  { label: "Latency p95", color: "#6b2e9c", dash: [6, 3], unit: "ms", sparse: true },
];

interface Filters {
  secret: string;
  caller: string;
}

/**
 * Activity from the audit trail (coffer.GetActivity): requests, errors and denials over time and
 * latency, overall or for one secret or caller; top readers and secrets; secrets nobody read in N
 * days (ListIdleSecrets); what clients report (GetClientMetrics). Refreshes every 10 s while the
 * tab is visible (and auto-refresh is on).
 */
export function ActivityPage() {
  const [rangeId, setRangeId] = useState<RangeId>("1h");
  const [zoom, setZoom] = useState<{ start: number; end: number }>();
  const [filters, setFilters] = useState<Filters>({ secret: "", caller: "" });
  const [autoRefresh, setAutoRefresh] = useState(true);
  const [tick, setTick] = useState(0);
  const [activity, setActivity] = useState<{ data: Activity; start: number; end: number; at: number }>();
  const [activityError, setActivityError] = useState<unknown>();
  const [clients, setClients] = useState<ClientReport[]>();
  const [clientsError, setClientsError] = useState<unknown>();
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    if (!autoRefresh) return;
    const timer = window.setInterval(() => {
      if (document.visibilityState === "visible") setTick((n) => n + 1);
    }, refreshMilliseconds);
    const onVisible = () => {
      if (document.visibilityState === "visible") setTick((n) => n + 1);
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [autoRefresh]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: tick is the refresh trigger
  useEffect(() => {
    const controller = new AbortController();
    const range = ranges.find((r) => r.id === rangeId) ?? ranges[1];
    const end = zoom?.end ?? Math.ceil(Date.now() / 1000);
    const start = zoom?.start ?? end - range.seconds;
    setLoading(true);
    const activityCall = getActivity(
      {
        StartTime: start,
        EndTime: end,
        ...(filters.secret !== "" ? { SecretId: filters.secret } : {}),
        ...(filters.caller !== "" ? { Caller: filters.caller } : {}),
      },
      controller.signal,
    ).then(
      (data) => {
        if (controller.signal.aborted) return;
        setActivity({ data, start, end, at: Date.now() });
        setActivityError(undefined);
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setActivity(undefined);
        setActivityError(error);
      },
    );
    const clientsCall = getClientMetrics({ StartTime: start, EndTime: end }, controller.signal).then(
      (data) => {
        if (controller.signal.aborted) return;
        setClients(data.Clients);
        setClientsError(undefined);
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setClients(undefined);
        setClientsError(error);
      },
    );
    void Promise.all([activityCall, clientsCall]).then(() => {
      if (!controller.signal.aborted) setLoading(false);
    });
    return () => controller.abort();
  }, [rangeId, zoom, filters, tick]);

  const onZoom = (start: number, end: number) => {
    if (end - start < minimumZoomSeconds) {
      const middle = (start + end) / 2;
      setZoom({
        start: Math.floor(middle - minimumZoomSeconds / 2),
        end: Math.ceil(middle + minimumZoomSeconds / 2),
      });
    } else setZoom({ start, end });
  };

  return (
    <section aria-labelledby="activity-title" className="activity">
      <div className="page-head">
        <h1 id="activity-title">Activity</h1>
        {/* Not a live region: a refresh every 10 s would be announced every 10 s. */}
        <p className="hint">
          {loading ? "Loading…" : activity ? `Updated ${new Date(activity.at).toLocaleTimeString()}` : ""}
        </p>
      </div>
      <RangeControls
        rangeId={rangeId}
        onRange={(id) => {
          setRangeId(id);
          setZoom(undefined);
        }}
        zoom={zoom}
        onResetZoom={() => setZoom(undefined)}
        autoRefresh={autoRefresh}
        onAutoRefresh={setAutoRefresh}
        onRefresh={() => setTick((n) => n + 1)}
      />
      <FilterForm filters={filters} onApply={setFilters} activity={activity?.data} />
      {activityError ? <OperationError error={activityError} operation="GetActivity" /> : null}
      <ActivityCharts activity={activity} filters={filters} onZoom={onZoom} />
      {activity ? (
        <TopLists
          activity={activity.data}
          onSecret={(secret) => setFilters((f) => ({ ...f, secret }))}
          onCaller={(caller) => setFilters((f) => ({ ...f, caller }))}
        />
      ) : null}
      <ClientMetrics clients={clients} error={clientsError} />
      <IdleSecrets />
    </section>
  );
}

function RangeControls(props: {
  rangeId: RangeId;
  onRange: (id: RangeId) => void;
  zoom: { start: number; end: number } | undefined;
  onResetZoom: () => void;
  autoRefresh: boolean;
  onAutoRefresh: (on: boolean) => void;
  onRefresh: () => void;
}) {
  const id = useId();
  return (
    <div className="row activity-controls">
      <div className="field">
        <label htmlFor={`${id}-range`}>Time range</label>
        <select
          id={`${id}-range`}
          value={props.rangeId}
          onChange={(event) => props.onRange(event.target.value as RangeId)}
        >
          {ranges.map((range) => (
            <option key={range.id} value={range.id}>
              {range.label}
            </option>
          ))}
        </select>
      </div>
      {props.zoom ? (
        <div className="zoomed">
          <StatusMessage>
            Zoomed to {formatTime(props.zoom.start)} – {formatTime(props.zoom.end)}
          </StatusMessage>
          <button type="button" onClick={props.onResetZoom}>
            Reset zoom
          </button>
        </div>
      ) : (
        <p className="hint">Drag across a chart to zoom into a time range.</p>
      )}
      <div className="field checkbox">
        <label>
          <input
            type="checkbox"
            checked={props.autoRefresh}
            onChange={(event) => props.onAutoRefresh(event.target.checked)}
          />{" "}
          Refresh every 10 s
        </label>
      </div>
      <button type="button" onClick={props.onRefresh}>
        Refresh now
      </button>
    </div>
  );
}

function FilterForm(props: { filters: Filters; onApply: (filters: Filters) => void; activity?: Activity }) {
  const [secret, setSecret] = useState(props.filters.secret);
  const [caller, setCaller] = useState(props.filters.caller);
  useEffect(() => {
    setSecret(props.filters.secret);
    setCaller(props.filters.caller);
  }, [props.filters]);
  const id = useId();
  const filtered = props.filters.secret !== "" || props.filters.caller !== "";
  return (
    <form
      className="row activity-filters"
      aria-label="Filters"
      onSubmit={(event) => {
        event.preventDefault();
        props.onApply({ secret: secret.trim(), caller: caller.trim() });
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-secret`}>
          Secret <span className="hint">name or ARN</span>
        </label>
        <input
          id={`${id}-secret`}
          list={`${id}-secrets`}
          value={secret}
          onChange={(event) => setSecret(event.target.value)}
        />
        <datalist id={`${id}-secrets`}>
          {(props.activity?.TopSecrets ?? []).map((s) => (
            <option key={s.SecretId} value={s.Name} />
          ))}
        </datalist>
      </div>
      <div className="field">
        <label htmlFor={`${id}-caller`}>
          Caller <span className="hint">principal ARN</span>
        </label>
        <input
          id={`${id}-caller`}
          list={`${id}-callers`}
          value={caller}
          onChange={(event) => setCaller(event.target.value)}
        />
        <datalist id={`${id}-callers`}>
          {(props.activity?.TopCallers ?? []).map((c) => (
            <option key={c.Caller} value={c.Caller} />
          ))}
        </datalist>
      </div>
      <button type="submit" className="primary">
        Apply filters
      </button>
      {filtered ? (
        <button type="button" onClick={() => props.onApply({ secret: "", caller: "" })}>
          Clear filters
        </button>
      ) : null}
    </form>
  );
}

function ActivityCharts(props: {
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
          <table className="visually-hidden">
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
          <table className="visually-hidden">
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
        </TimeChart>
      </div>
    </>
  );
}

function TopLists(props: {
  activity: Activity;
  onSecret: (secret: string) => void;
  onCaller: (caller: string) => void;
}) {
  return (
    <div className="chart-grid">
      <section aria-labelledby="top-readers-title" className="panel">
        <h2 id="top-readers-title">Top readers</h2>
        {props.activity.TopCallers.length === 0 ? (
          <p>No callers in this range.</p>
        ) : (
          <BarList
            label="Top readers by requests"
            unit="requests"
            bars={props.activity.TopCallers.map((c) => ({
              key: c.Caller,
              label: shortPrincipal(c.Caller),
              value: c.Requests,
              detail: `${c.Reads} reads`,
            }))}
            onSelect={(bar) => props.onCaller(bar.key)}
          />
        )}
      </section>
      <section aria-labelledby="top-secrets-title" className="panel">
        <h2 id="top-secrets-title">Top secrets</h2>
        {props.activity.TopSecrets.length === 0 ? (
          <p>No secret was read in this range.</p>
        ) : (
          <BarList
            label="Top secrets by reads"
            unit="reads"
            bars={props.activity.TopSecrets.map((s) => ({ key: s.SecretId, label: s.Name, value: s.Reads }))}
            onSelect={(bar) => props.onSecret(bar.label)}
          />
        )}
      </section>
    </div>
  );
}

function ClientMetrics(props: { clients: ClientReport[] | undefined; error: unknown }) {
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

function IdleSecrets() {
  const [draft, setDraft] = useState("30");
  const [days, setDays] = useState(30);
  const [generation, setGeneration] = useState(0);
  const [secrets, setSecrets] = useState<IdleSecret[]>();
  const [nextToken, setNextToken] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(false);
  const id = useId();
  const draftDays = Number(draft);
  const invalid = !Number.isInteger(draftDays) || draftDays < 1 || draftDays > 3650;

  // biome-ignore lint/correctness/useExhaustiveDependencies: generation is the "find again" trigger
  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    listIdleSecrets({ Days: days, MaxResults: 50 }, controller.signal).then(
      (reply) => {
        if (controller.signal.aborted) return;
        setSecrets(reply.Secrets);
        setNextToken(reply.NextToken);
        setError(undefined);
        setLoading(false);
      },
      (caught: unknown) => {
        if (controller.signal.aborted) return;
        setSecrets(undefined);
        setNextToken(undefined);
        setError(caught);
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [days, generation]);

  const loadMore = () => {
    if (!nextToken) return;
    setLoading(true);
    listIdleSecrets({ Days: days, MaxResults: 50, NextToken: nextToken }).then(
      (reply) => {
        setSecrets((previous) => [...(previous ?? []), ...reply.Secrets]);
        setNextToken(reply.NextToken);
        setLoading(false);
      },
      (caught: unknown) => {
        setError(caught);
        setLoading(false);
      },
    );
  };

  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Secrets nobody read in {days} days</h2>
      <form
        className="row"
        onSubmit={(event) => {
          event.preventDefault();
          if (invalid) return;
          if (draftDays === days) setGeneration((n) => n + 1);
          else setDays(draftDays);
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-days`}>Days without a read</label>
          <input
            id={`${id}-days`}
            inputMode="numeric"
            value={draft}
            aria-invalid={invalid}
            aria-describedby={`${id}-days-hint`}
            onChange={(event) => setDraft(event.target.value)}
          />
          <span id={`${id}-days-hint`} className="hint" aria-live="polite">
            {invalid ? "A whole number of days from 1 to 3650." : ""}
          </span>
        </div>
        <button type="submit" disabled={invalid || loading}>
          Find idle secrets
        </button>
      </form>
      {error ? <OperationError error={error} operation="ListIdleSecrets" /> : null}
      {secrets && secrets.length === 0 ? <p>Every secret was read in the last {days} days.</p> : null}
      {secrets && secrets.length > 0 ? (
        <div className="table-wrap">
          <table className="stack">
            <thead>
              <tr>
                <th scope="col">Secret</th>
                <th scope="col">Last read</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {secrets.map((s) => (
                <tr key={s.ARN}>
                  <td data-label="Secret">
                    <Link to={secretPath(s.Name)}>{s.Name}</Link>
                  </td>
                  <td data-label="Last read">
                    {s.LastAccessedDate !== undefined ? formatTime(s.LastAccessedDate) : "never"}
                  </td>
                  <td data-label="Created">{formatTime(s.CreatedDate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {nextToken ? (
        <button type="button" onClick={loadMore} disabled={loading}>
          Load more
        </button>
      ) : null}
    </section>
  );
}

/** An API error; a server without the activity API gets a plain explanation. */
function OperationError(props: { error: unknown; operation: string }) {
  if (!isUnknownOperation(props.error)) return <ErrorAlert error={props.error} context={props.operation} />;
  const { name, message } = describeError(props.error);
  return (
    <div className="alert alert-error" role="alert">
      <strong>{props.operation}: </strong>
      <span className="error-name">{name}</span>: this Coffer server has no activity API yet, so there is
      nothing to show here. Upgrade the server. <span className="error-message">({message})</span>
    </div>
  );
}

function maxOf(values: (number | null | undefined)[]): number | undefined {
  const numbers = values.filter((v): v is number => typeof v === "number");
  return numbers.length === 0 ? undefined : Math.max(...numbers);
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function ratio(hits: number, misses: number): string {
  const all = hits + misses;
  return all === 0 ? "—" : `${((100 * hits) / all).toFixed(1)} %`;
}

function formatTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toLocaleString();
}

/** `arn:aws:iam::123:user/alice` → `user/alice`. */
function shortPrincipal(arn: string): string {
  const parts = arn.split(":");
  return parts.length >= 6 ? parts.slice(5).join(":") : arn;
}
