/**
 * A histogram family whose children are plain objects: one observation is a short scan of the
 * bucket bounds and three additions, with no label hashing and no allocation (prom-client's
 * `labels(…).observe()` hashes its label object on every call). Formatted by prom-client's registry
 * at scrape time through {@link get}, cumulative buckets and `+Inf`, `_sum` and `_count` as
 * Prometheus expects.
 */
export class HistogramChild {
  /** Observations per bucket (not cumulative); the last slot is past the highest bound. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += value;
    this.count++;
  }
}

interface Series {
  labels: Record<string, string>;
  child: HistogramChild;
}

/** Latency buckets in seconds, 0.25 ms to 10 s: a warm read is well under a millisecond. */
export const latencyBuckets: readonly number[] = [
  0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export class PlainHistogram {
  readonly type = "histogram";
  readonly aggregator = "sum";
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    readonly bounds: readonly number[] = latencyBuckets,
  ) {
    for (let i = 1; i < bounds.length; i++) {
      if (!((bounds[i] as number) > (bounds[i - 1] as number))) {
        throw new RangeError(`${name}: bucket bounds must increase`);
      }
    }
  }

  /** The child of these label values (in `labelNames` order); the same object every time. */
  child(...values: string[]): HistogramChild {
    const key = values.join("\u0000");
    let series = this.series.get(key);
    if (series === undefined) {
      if (values.length !== this.labelNames.length) {
        throw new RangeError(`${this.name} takes ${this.labelNames.length} label values`);
      }
      const labels: Record<string, string> = {};
      this.labelNames.forEach((name, i) => {
        labels[name] = values[i] as string;
      });
      series = { labels, child: new HistogramChild(this.bounds) };
      this.series.set(key, series);
    }
    return series.child;
  }

  /** prom-client's metric protocol (`Registry.registerMetric`). */
  async get() {
    const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = [];
    for (const { labels, child } of this.series.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += child.counts[i] as number;
        values.push({
          labels: { ...labels, le: bound },
          value: cumulative,
          metricName: `${this.name}_bucket`,
        });
      });
      values.push({
        labels: { ...labels, le: "+Inf" },
        value: child.count,
        metricName: `${this.name}_bucket`,
      });
      values.push({ labels, value: child.sum, metricName: `${this.name}_sum` });
      values.push({ labels, value: child.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
