import { outcomeOf, resultClassOf } from "./outcome.js";
import type { CounterChild, PlainCounter } from "./plain-counter.js";
import type { HistogramChild, PlainHistogram } from "./plain-histogram.js";
import type { RequestMetrics } from "./request-metrics.js";

/** The operations each API serves, by API name: the only operation label values besides `unknown`. */
export type KnownOperations = ReadonlyMap<string, ReadonlySet<string>>;

export interface RequestFamilies {
  requests: PlainCounter;
  duration: PlainHistogram;
  authFailures: PlainCounter;
}

/** One operation's children: its counter per outcome and its histogram per result class. */
interface OperationSeries {
  api: string;
  operation: string;
  byOutcome: Map<string, CounterChild>;
  okCount: CounterChild | undefined;
  okDuration: HistogramChild | undefined;
  byResult: Map<string, HistogramChild>;
}

/**
 * The pipeline's {@link RequestMetrics} over Coffer's request metrics. A successful request costs
 * two map lookups (API, operation), an increment and one histogram observation; children are
 * created once per label set and cached. Label values are bounded: the API and operation must be
 * known (else `unknown`), the outcome is one of a few classes or an error name from the catalog.
 */
export function createRequestMetrics(families: RequestFamilies, known: KnownOperations): RequestMetrics {
  const byApi = new Map<string, Map<string, OperationSeries>>();

  /** Cached under its label values only, so the cache is as bounded as the labels. */
  function seriesOf(operation: string | undefined, api: string): OperationSeries {
    const cached = operation === undefined ? undefined : byApi.get(api)?.get(operation);
    if (cached !== undefined) return cached;
    const operations = known.get(api);
    const apiLabel = operations === undefined ? "unknown" : api;
    const operationLabel = operation !== undefined && operations?.has(operation) ? operation : "unknown";
    let byOperation = byApi.get(apiLabel);
    if (byOperation === undefined) {
      byOperation = new Map();
      byApi.set(apiLabel, byOperation);
    }
    let series = byOperation.get(operationLabel);
    if (series === undefined) {
      series = {
        api: apiLabel,
        operation: operationLabel,
        byOutcome: new Map(),
        okCount: undefined,
        okDuration: undefined,
        byResult: new Map(),
      };
      byOperation.set(operationLabel, series);
    }
    return series;
  }

  return {
    requestDone(operation, api, status, errorType, seconds) {
      const series = seriesOf(operation, api);
      if (status < 400 && series.okCount !== undefined && series.okDuration !== undefined) {
        series.okCount.value++;
        series.okDuration.observe(seconds);
        return;
      }
      const { api: apiLabel, operation: operationLabel } = series;
      const outcome = outcomeOf(apiLabel, status, errorType);
      let count = series.byOutcome.get(outcome);
      if (count === undefined) {
        count = families.requests.child(apiLabel, operationLabel, outcome);
        series.byOutcome.set(outcome, count);
      }
      const result = resultClassOf(outcome);
      let duration = series.byResult.get(result);
      if (duration === undefined) {
        duration = families.duration.child(apiLabel, operationLabel, result);
        series.byResult.set(result, duration);
      }
      if (outcome === "ok") {
        series.okCount = count;
        series.okDuration = duration;
      }
      count.value++;
      duration.observe(seconds);
      if (outcome === "auth_failure") families.authFailures.child(apiLabel, errorType ?? "unknown").value++;
    },
  };
}

/** The known operations of the APIs a pipeline serves, plus operations served outside them (streams). */
export function knownOperationsOf(
  apis: ReadonlyArray<{ name: string; operations: ReadonlyMap<string, unknown> }>,
  extra: Readonly<Record<string, readonly string[]>> = {},
): KnownOperations {
  const known = new Map<string, Set<string>>();
  for (const api of apis) known.set(api.name, new Set(api.operations.keys()));
  for (const [api, operations] of Object.entries(extra)) {
    const set = known.get(api) ?? new Set<string>();
    for (const operation of operations) set.add(operation);
    known.set(api, set);
  }
  return known;
}
