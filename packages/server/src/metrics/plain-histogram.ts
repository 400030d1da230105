import { header, labelPairs, valueText } from "./exposition-text.js";

/**
 * A histogram family whose children are plain objects: one observation is a short scan of the
 * bucket bounds and three additions, with no label hashing and no allocation (prom-client's
 * `labels(…).observe()` hashes its label object on every call). Written as Prometheus text at
 * scrape time by {@link toText}: cumulative `_bucket` lines ending in `le="+Inf"`, `_sum` and
 * `_count`, each series' labels formatted once, when the series is created.
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
  /** `a="x",b="y",` before `le`, or "" without labels. */
  bucketPrefix: string;
  /** `{a="x",b="y"}` for `_sum` and `_count`, or "". */
  labels: string;
  child: HistogramChild;
}

/** Latency buckets in seconds, 0.25 ms to 10 s: a warm read is well under a millisecond. */
export const latencyBuckets: readonly number[] = [
  0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export class PlainHistogram {
  readonly type = "histogram";
  private readonly series = new Map<string, Series>();
  private readonly les: readonly string[];

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
    this.les = [...bounds.map((bound) => valueText(bound)), "+Inf"];
  }

  /** The child of these label values (in `labelNames` order); the same object every time. */
  child(...values: string[]): HistogramChild {
    const key = values.join("\u0000");
    let series = this.series.get(key);
    if (series === undefined) {
      if (values.length !== this.labelNames.length) {
        throw new RangeError(`${this.name} takes ${this.labelNames.length} label values`);
      }
      const pairs = labelPairs(this.labelNames, values);
      series = {
        bucketPrefix: pairs === "" ? "" : `${pairs},`,
        labels: pairs === "" ? "" : `{${pairs}}`,
        child: new HistogramChild(this.bounds),
      };
      this.series.set(key, series);
    }
    return series.child;
  }

  /** The family in Prometheus text format. */
  toText(): string {
    const { name, les } = this;
    let text = header(name, this.help, this.type);
    for (const { bucketPrefix, labels, child } of this.series.values()) {
      let cumulative = 0;
      for (let i = 0; i < les.length; i++) {
        cumulative += child.counts[i] as number;
        text += `${name}_bucket{${bucketPrefix}le="${les[i]}"} ${valueText(cumulative)}\n`;
      }
      text += `${name}_sum${labels} ${valueText(child.sum)}\n`;
      text += `${name}_count${labels} ${valueText(child.count)}\n`;
    }
    return text;
  }
}
