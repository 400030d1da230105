import { useState } from "react";
import { ActivityCharts } from "./activity-charts.js";
import { ClientMetrics } from "./client-metrics.js";
import { FilterForm, type Filters } from "./filter-form.js";
import { IdleSecrets } from "./idle-secrets.js";
import { OperationError } from "./operation-error.js";
import { RangeControls, type RangeId, ranges } from "./range-controls.js";
import { TopLists } from "./top-lists.js";
import { useActivity } from "./use-activity.js";
import { useRefreshTick } from "./use-refresh-tick.js";
import "./activity.css";

/** The shortest range a drag selects: the activity API's smallest bucket is a minute. */
const minimumZoomSeconds = 120;
const refreshMilliseconds = 10_000;

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
  const { tick, refreshNow } = useRefreshTick(autoRefresh, refreshMilliseconds);
  const range = ranges.find((r) => r.id === rangeId) ?? ranges[1];
  const { activity, activityError, clients, clientsError, loading } = useActivity(
    range.seconds,
    zoom,
    filters,
    tick,
  );

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
        onRefresh={refreshNow}
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
