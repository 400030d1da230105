/**
 * Activity over time, computed from the audit trail (docs/activity.md, docs/adr/0014): requests,
 * errors, denials and latency per time bucket, the busiest callers and the most-read secrets. Pure:
 * the events come in, the figures go out; the scan that feeds it is `activity-scan.ts`.
 */
import type { AuditEvent } from "./event.js";
import { isIntent, outcomeOf } from "./event.js";

/** The fewest seconds a bucket spans. */
export const MIN_PERIOD_SECONDS = 60;
/** The most buckets one answer carries. */
export const MAX_BUCKETS = 1440;
/** How many buckets a range is cut into when no period is asked for (about). */
export const DEFAULT_BUCKETS = 60;
/** How many callers and secrets the top lists name. */
export const TOP_N = 10;

/** Round periods a default is chosen from: 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h, then whole days. */
const NICE_PERIODS = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];

/** The operations whose success reads secret values. */
const READ_OPERATIONS: ReadonlySet<string> = new Set(["GetSecretValue", "BatchGetSecretValue"]);

export interface ActivityBucket {
  /** Epoch seconds: the bucket's start, a multiple of the period. */
  Time: number;
  Requests: number;
  Errors: number;
  Denials: number;
  /** Absent when no request in the bucket carried a duration. */
  LatencyP50Ms?: number;
  LatencyP95Ms?: number;
}

export interface ActivityAnswer {
  PeriodSeconds: number;
  Buckets: ActivityBucket[];
  TopCallers: Array<{ Caller: string; Requests: number; Reads: number }>;
  TopSecrets: Array<{ SecretId: string; Name: string; Reads: number }>;
  TotalRequests: number;
  Truncated: boolean;
}

/**
 * The bucket width for a range [start, end) in epoch seconds: the asked period (at least
 * {@link MIN_PERIOD_SECONDS}), or the smallest round period giving at most about
 * {@link DEFAULT_BUCKETS} buckets. Throws a RangeError (with a message for the caller) for a
 * range that is empty, or that the asked period cuts into more than {@link MAX_BUCKETS} buckets.
 */
export function periodFor(startS: number, endS: number, askedPeriodS?: number): number {
  if (!(endS > startS)) throw new RangeError("EndTime must be after StartTime.");
  const span = endS - startS;
  if (askedPeriodS !== undefined) {
    const period = Math.max(MIN_PERIOD_SECONDS, Math.ceil(askedPeriodS));
    const buckets = bucketCount(startS, endS, period);
    if (buckets > MAX_BUCKETS) {
      throw new RangeError(
        `PeriodSeconds ${period} cuts this range into ${buckets} buckets; at most ${MAX_BUCKETS} are answered. Ask for a longer period, or leave PeriodSeconds out.`,
      );
    }
    return period;
  }
  const wanted = span / DEFAULT_BUCKETS;
  const nice = NICE_PERIODS.find((period) => period >= wanted);
  const period = nice ?? Math.ceil(wanted / 86_400) * 86_400;
  // Alignment may add one bucket; a default never exceeds the cap.
  return bucketCount(startS, endS, period) > MAX_BUCKETS ? Math.ceil(span / (MAX_BUCKETS - 1)) : period;
}

/** Buckets aligned to multiples of the period that cover [start, end). */
export function bucketCount(startS: number, endS: number, periodS: number): number {
  const first = Math.floor(startS / periodS);
  const last = Math.ceil(endS / periodS);
  return Math.max(1, last - first);
}

/**
 * The value at percentile `p` (0 < p ≤ 100) of `sorted` (ascending, not empty), by the
 * nearest-rank method: the smallest value with at least p% of the values at or below it.
 */
export function nearestRank(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

interface BucketAccumulator {
  requests: number;
  errors: number;
  denials: number;
  durations: number[];
}

/** Folds outcome events into an {@link ActivityAnswer}; events outside [start, end) and intents are skipped. */
export class ActivityAggregator {
  private readonly first: number;
  private readonly buckets: BucketAccumulator[];
  private readonly callers = new Map<string, { requests: number; reads: number }>();
  private readonly secrets = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly startS: number,
    private readonly endS: number,
    private readonly periodS: number,
  ) {
    this.first = Math.floor(startS / periodS);
    this.buckets = Array.from({ length: bucketCount(startS, endS, periodS) }, () => ({
      requests: 0,
      errors: 0,
      denials: 0,
      durations: [],
    }));
  }

  add(event: AuditEvent): void {
    if (isIntent(event)) return;
    const timeMs = Date.parse(event.eventTime);
    if (!Number.isFinite(timeMs) || timeMs < this.startS * 1000 || timeMs >= this.endS * 1000) return;
    const bucket = this.buckets[Math.floor(timeMs / 1000 / this.periodS) - this.first];
    if (bucket === undefined) return;
    this.total++;
    bucket.requests++;
    const outcome = outcomeOf(event);
    if (outcome === "denied") bucket.denials++;
    else if (outcome === "error") bucket.errors++;
    const duration = event.additionalEventData?.durationMs;
    if (typeof duration === "number" && Number.isFinite(duration) && duration >= 0) {
      bucket.durations.push(duration);
    }
    const reads = outcome === "success" && READ_OPERATIONS.has(event.eventName) ? secretsRead(event) : [];
    const caller = event.userIdentity.arn;
    if (caller !== "") {
      const tally = this.callers.get(caller) ?? { requests: 0, reads: 0 };
      tally.requests++;
      tally.reads += reads.length;
      this.callers.set(caller, tally);
    }
    for (const arn of reads) this.secrets.set(arn, (this.secrets.get(arn) ?? 0) + 1);
  }

  answer(truncated: boolean): ActivityAnswer {
    return {
      PeriodSeconds: this.periodS,
      Buckets: this.buckets.map((bucket, i) => {
        const out: ActivityBucket = {
          Time: (this.first + i) * this.periodS,
          Requests: bucket.requests,
          Errors: bucket.errors,
          Denials: bucket.denials,
        };
        if (bucket.durations.length > 0) {
          const sorted = bucket.durations.sort((a, b) => a - b);
          out.LatencyP50Ms = nearestRank(sorted, 50);
          out.LatencyP95Ms = nearestRank(sorted, 95);
        }
        return out;
      }),
      TopCallers: [...this.callers]
        .sort(([a, x], [b, y]) => y.requests - x.requests || y.reads - x.reads || compare(a, b))
        .slice(0, TOP_N)
        .map(([caller, tally]) => ({ Caller: caller, Requests: tally.requests, Reads: tally.reads })),
      TopSecrets: [...this.secrets]
        .sort(([a, x], [b, y]) => y - x || compare(a, b))
        .slice(0, TOP_N)
        .map(([arn, reads]) => ({ SecretId: arn, Name: secretNameOf(arn), Reads: reads })),
      TotalRequests: this.total,
      Truncated: truncated,
    };
  }
}

/** The secrets a successful read event read: its resources (one per secret of a batch). */
function secretsRead(event: AuditEvent): string[] {
  return (event.resources ?? []).map((resource) => resource.ARN);
}

/** A secret's name from its ARN: what follows `:secret:`, less the six-character suffix. */
export function secretNameOf(arn: string): string {
  const at = arn.indexOf(":secret:");
  const rest = at < 0 ? arn : arn.slice(at + ":secret:".length);
  return rest.replace(/-[A-Za-z0-9]{6}$/, "");
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
