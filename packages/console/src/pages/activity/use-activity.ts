import { useEffect, useState } from "react";
import { type Activity, type ClientReport, getActivity, getClientMetrics } from "./activity-api.js";
import type { Filters } from "./filter-form.js";

/** Figures for [start, end] (epoch seconds), and when they came (`at`, epoch milliseconds). */
export interface LoadedActivity {
  data: Activity;
  start: number;
  end: number;
  at: number;
}

/**
 * The activity and the client reports for the zoomed span, or else the last `rangeSeconds` up to
 * now, loaded again whenever `tick` changes. A superseded load is aborted and its answer dropped.
 */
export function useActivity(
  rangeSeconds: number,
  zoom: { start: number; end: number } | undefined,
  filters: Filters,
  tick: number,
) {
  const [activity, setActivity] = useState<LoadedActivity>();
  const [activityError, setActivityError] = useState<unknown>();
  const [clients, setClients] = useState<ClientReport[]>();
  const [clientsError, setClientsError] = useState<unknown>();
  const [loading, setLoading] = useState(false);

  // biome-ignore lint/correctness/useExhaustiveDependencies: tick is the refresh trigger
  useEffect(() => {
    const controller = new AbortController();
    const end = zoom?.end ?? Math.ceil(Date.now() / 1000);
    const start = zoom?.start ?? end - rangeSeconds;
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
  }, [rangeSeconds, zoom, filters, tick]);

  return { activity, activityError, clients, clientsError, loading };
}
