/**
 * The console's Observability data (docs/activity.md): activity over time and clients' cache
 * figures, both computed from the audit trail (docs/adr/0014), and the secrets nobody reads.
 */
import { ActivityAggregator, periodFor } from "../../audit/activity.js";
import { scanRecentEvents } from "../../audit/activity-scan.js";
import { ClientMetricsAggregator, REPORT_CLIENT_METRICS } from "../../audit/client-metrics.js";
import { InvalidParameterException } from "../../errors/catalog.js";
import { optionalEpochSeconds } from "../wire.js";
import { typedOperation } from "../wire-types.js";

interface RangeInput {
  StartTime: number | string;
  EndTime: number | string;
}

interface GetActivityInput extends RangeInput {
  PeriodSeconds?: number;
  SecretId?: string;
  Caller?: string;
}

/**
 * Requests, errors, denials and latency (p50, p95) per bucket of [StartTime, EndTime), the ten
 * busiest callers and the ten most-read secrets, from the most recent events of the range (at
 * most 20,000: past that, `Truncated`). SecretId and Caller narrow every figure.
 */
export const getActivity = typedOperation<GetActivityInput>(async (input, _context, { audit }) => {
  const { startS, endS } = rangeOf(input);
  let period: number;
  try {
    period = periodFor(startS, endS, input.PeriodSeconds);
  } catch (error) {
    if (error instanceof RangeError) throw new InvalidParameterException(error.message);
    throw error;
  }
  const aggregator = new ActivityAggregator(startS, endS, period);
  const { truncated } = await scanRecentEvents(
    audit,
    {
      from: new Date(startS * 1000),
      to: new Date(endS * 1000),
      secretId: input.SecretId,
      principal: input.Caller,
    },
    (event) => aggregator.add(event),
  );
  return aggregator.answer(truncated);
});

/** Secrets nobody read in the last `Days` days that the caller may list, least recently read first. */
export const listIdleSecrets = typedOperation<{ Days: number; MaxResults?: number; NextToken?: string }>(
  async (input, { scope }, { reader }) => {
    const page = await reader.listIdle(scope, {
      days: input.Days,
      maxResults: input.MaxResults,
      nextToken: input.NextToken,
    });
    return {
      Secrets: page.secrets.map((secret) => {
        const lastAccessed = optionalEpochSeconds(secret.lastAccessedAt);
        return {
          ARN: secret.arn,
          Name: secret.name,
          ...(lastAccessed !== undefined ? { LastAccessedDate: lastAccessed } : {}),
          CreatedDate: secret.createdAt / 1000,
        };
      }),
      ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {}),
    };
  },
);

/**
 * A client's or agent's cache figures since its previous report. Validated by the model (bounded
 * counts, a ClientId pattern, Kind `client` or `agent`); recorded by its own audit event, which is
 * all it writes.
 */
export const reportClientMetrics = typedOperation<{
  ClientId: string;
  Kind: "client" | "agent";
  ColdStarts: number;
  CacheHits: number;
  CacheMisses: number;
  PeriodSeconds: number;
}>(async () => ({}));

/** Totals per reporting client over [StartTime, EndTime), from the ReportClientMetrics events. */
export const getClientMetrics = typedOperation<RangeInput>(async (input, _context, { audit }) => {
  const { startS, endS } = rangeOf(input);
  if (!(endS > startS)) throw new InvalidParameterException("EndTime must be after StartTime.");
  const aggregator = new ClientMetricsAggregator();
  const { truncated } = await scanRecentEvents(
    audit,
    {
      from: new Date(startS * 1000),
      to: new Date(endS * 1000),
      action: REPORT_CLIENT_METRICS,
      outcome: "success",
    },
    (event) => aggregator.add(event),
  );
  return { Clients: aggregator.answer(), Truncated: truncated };
});

/** Epoch seconds of the range's ends (the model's timestamps: epoch seconds, or an ISO 8601 text). */
function rangeOf(input: RangeInput): { startS: number; endS: number } {
  const seconds = (value: number | string) => (typeof value === "number" ? value : Date.parse(value) / 1000);
  const startS = seconds(input.StartTime);
  const endS = seconds(input.EndTime);
  if (!Number.isFinite(startS) || !Number.isFinite(endS)) {
    throw new InvalidParameterException("StartTime and EndTime must be times (epoch seconds).");
  }
  return { startS, endS };
}
