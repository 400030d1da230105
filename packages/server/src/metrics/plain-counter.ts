/**
 * A counter family whose children are plain objects: `child.value++` on the request path, no label
 * hashing and no allocation (prom-client's `labels(…).inc()` hashes its label object on every
 * call). prom-client's registry formats it at scrape time through {@link get}, as it does its own
 * metrics. Children are created once per label set and kept: callers cache them.
 */
export interface CounterChild {
  value: number;
}

interface Series {
  labels: Record<string, string>;
  child: CounterChild;
}

export class PlainCounter {
  readonly type = "counter";
  readonly aggregator = "sum";
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    /** Called at each scrape before the values are read (to copy counts kept elsewhere). */
    private readonly collect?: (counter: PlainCounter) => void,
  ) {}

  /** The child of these label values (in `labelNames` order); the same object every time. */
  child(...values: string[]): CounterChild {
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
      series = { labels, child: { value: 0 } };
      this.series.set(key, series);
    }
    return series.child;
  }

  /** prom-client's metric protocol (`Registry.registerMetric`). */
  async get() {
    this.collect?.(this);
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: [...this.series.values()].map(({ labels, child }) => ({ labels, value: child.value })),
    };
  }
}
