/**
 * Clients' own figures (cold starts, cache hits and misses), as they reported them with
 * `coffer.ReportClientMetrics`: each report is an audit event of its own, and the totals over a
 * range are summed from those events (docs/activity.md). Pure.
 */
import type { AuditEvent } from "./event.js";

export const REPORT_CLIENT_METRICS = "ReportClientMetrics";

export interface ClientMetricsEntry {
  ClientId: string;
  Kind: string;
  /** The principal that reported (its ARN). */
  Caller: string;
  ColdStarts: number;
  CacheHits: number;
  CacheMisses: number;
  /** Epoch seconds of the latest report in the range. */
  LastReportTime: number;
}

/** Sums successful ReportClientMetrics events per (caller, client id, kind). */
export class ClientMetricsAggregator {
  private readonly clients = new Map<string, ClientMetricsEntry>();

  add(event: AuditEvent): void {
    if (event.eventName !== REPORT_CLIENT_METRICS || event.errorCode !== undefined) return;
    if (event.additionalEventData?.auditPhase !== undefined) return;
    const request = event.requestParameters;
    if (request === null) return;
    const clientId = request.clientId;
    const kind = request.kind;
    if (typeof clientId !== "string" || typeof kind !== "string") return;
    const time = Date.parse(event.eventTime);
    if (!Number.isFinite(time)) return;
    const caller = event.userIdentity.arn;
    const key = JSON.stringify([caller, clientId, kind]);
    const entry = this.clients.get(key) ?? {
      ClientId: clientId,
      Kind: kind,
      Caller: caller,
      ColdStarts: 0,
      CacheHits: 0,
      CacheMisses: 0,
      LastReportTime: 0,
    };
    entry.ColdStarts += count(request.coldStarts);
    entry.CacheHits += count(request.cacheHits);
    entry.CacheMisses += count(request.cacheMisses);
    entry.LastReportTime = Math.max(entry.LastReportTime, Math.floor(time / 1000));
    this.clients.set(key, entry);
  }

  /** Most recently heard from first. */
  answer(): ClientMetricsEntry[] {
    return [...this.clients.values()].sort(
      (a, b) =>
        b.LastReportTime - a.LastReportTime ||
        (a.ClientId < b.ClientId ? -1 : a.ClientId > b.ClientId ? 1 : 0) ||
        (a.Caller < b.Caller ? -1 : a.Caller > b.Caller ? 1 : 0),
    );
  }
}

/** A reported count as stored: a non-negative safe integer, else nothing. */
function count(value: unknown): number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : 0;
}
