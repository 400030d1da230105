import { header, labelPairs, valueText } from "./exposition-text.js";

/**
 * A counter family whose children are plain objects: `child.value++` on the request path, no label
 * hashing and no allocation (prom-client's `labels(…).inc()` hashes its label object on every
 * call). Written as Prometheus text at scrape time by {@link toText}, each series' labels formatted
 * once, when the series is created. Children are created once per label set and kept: callers cache them.
 */
export interface CounterChild {
  value: number;
}

interface Series {
  /** `{a="x",b="y"}`, or "" without labels. */
  labels: string;
  child: CounterChild;
}

export class PlainCounter {
  readonly type = "counter";
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
      const pairs = labelPairs(this.labelNames, values);
      series = { labels: pairs === "" ? "" : `{${pairs}}`, child: { value: 0 } };
      this.series.set(key, series);
    }
    return series.child;
  }

  /** The family in Prometheus text format, one line per series. */
  toText(): string {
    this.collect?.(this);
    let text = header(this.name, this.help, this.type);
    for (const { labels, child } of this.series.values()) {
      text += `${this.name}${labels} ${valueText(child.value)}\n`;
    }
    return text;
  }
}
