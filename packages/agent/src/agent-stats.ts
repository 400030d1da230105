/** How requests ended, for `/health`. Counts only: no secret ids, no values. */
export type Outcome =
  | "ok"
  | "badRequest"
  | "unauthorized"
  | "forbidden"
  | "notFound"
  | "backendUnavailable"
  | "failed";

/** Whatever the caller can tell about the client library's cache (its `onFetch` events, say). */
export type CacheStats = Record<string, number>;

export interface HealthReport {
  status: "healthy";
  uptimeSeconds: number;
  requests: Record<Outcome, number>;
  cache?: CacheStats;
}

export class AgentStats {
  private readonly startedAt = Date.now();
  private readonly counts: Record<Outcome, number> = {
    ok: 0,
    badRequest: 0,
    unauthorized: 0,
    forbidden: 0,
    notFound: 0,
    backendUnavailable: 0,
    failed: 0,
  };

  constructor(private readonly cacheStats?: () => CacheStats) {}

  record(status: number): void {
    this.counts[outcomeOf(status)] += 1;
  }

  report(now = Date.now()): HealthReport {
    const report: HealthReport = {
      status: "healthy",
      uptimeSeconds: Math.floor((now - this.startedAt) / 1000),
      requests: { ...this.counts },
    };
    if (this.cacheStats) report.cache = this.cacheStats();
    return report;
  }
}

function outcomeOf(status: number): Outcome {
  if (status < 400) return "ok";
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "notFound";
  if (status === 502 || status === 503) return "backendUnavailable";
  if (status < 500) return "badRequest";
  return "failed";
}
