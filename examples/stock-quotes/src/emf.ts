/**
 * CloudWatch Embedded Metric Format: one JSON log line that CloudWatch Logs turns into metrics.
 * In Lambda, anything written to stdout reaches CloudWatch Logs, so `console.log(emfLine(…))` is all
 * it takes — no agent, no SDK call. Spec:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */

/** CloudWatch's StandardUnit values. */
export type EmfUnit =
  | "Seconds"
  | "Microseconds"
  | "Milliseconds"
  | "Bytes"
  | "Kilobytes"
  | "Megabytes"
  | "Gigabytes"
  | "Terabytes"
  | "Bits"
  | "Kilobits"
  | "Megabits"
  | "Gigabits"
  | "Terabits"
  | "Percent"
  | "Count"
  | "Bytes/Second"
  | "Kilobytes/Second"
  | "Megabytes/Second"
  | "Gigabytes/Second"
  | "Terabytes/Second"
  | "Bits/Second"
  | "Kilobits/Second"
  | "Megabits/Second"
  | "Gigabits/Second"
  | "Terabits/Second"
  | "Count/Second"
  | "None";

export interface EmfMetric {
  name: string;
  unit: EmfUnit;
  value: number;
}

export interface EmfInput {
  namespace: string;
  /** One dimension set: every metric is recorded once per these name → value pairs. */
  dimensions: Readonly<Record<string, string>>;
  metrics: readonly EmfMetric[];
  /** Extra fields for CloudWatch Logs Insights (request id…), not metrics. */
  properties?: Readonly<Record<string, string | number | boolean>>;
  /** Milliseconds since the epoch; default now. */
  timestamp?: number;
}

/** The limits of the EMF specification that a hand-built line could break. */
const maxMetrics = 100;
const maxDimensions = 30;
const namespacePattern = /^[0-9A-Za-z.\-_/#: ]{1,255}$/;

/** Builds the EMF document; throws a TypeError for anything CloudWatch would reject or drop. */
export function emfRecord(input: EmfInput): Record<string, unknown> {
  const { namespace, dimensions, metrics, properties = {}, timestamp = Date.now() } = input;
  if (!namespacePattern.test(namespace) || namespace.startsWith("AWS/")) {
    throw new TypeError(`EMF namespace ${JSON.stringify(namespace)} is not a valid CloudWatch namespace`);
  }
  if (!Number.isInteger(timestamp) || timestamp < 0)
    throw new TypeError("EMF timestamp must be epoch milliseconds");
  if (metrics.length === 0 || metrics.length > maxMetrics) {
    throw new TypeError(`EMF needs 1 to ${maxMetrics} metrics, got ${metrics.length}`);
  }
  const dimensionNames = Object.keys(dimensions);
  if (dimensionNames.length > maxDimensions)
    throw new TypeError(`EMF allows at most ${maxDimensions} dimensions`);

  const root: Record<string, unknown> = {};
  const claim = (name: string, value: unknown) => {
    if (name.length === 0 || name.length > 255)
      throw new TypeError("EMF member names must be 1 to 255 characters");
    if (name === "_aws" || Object.hasOwn(root, name))
      throw new TypeError(`EMF member "${name}" is defined twice`);
    root[name] = value;
  };
  for (const [name, value] of Object.entries(dimensions)) {
    if (typeof value !== "string" || value.length === 0 || value.length > 1024) {
      throw new TypeError(`EMF dimension "${name}" needs a value of 1 to 1024 characters`);
    }
    claim(name, value);
  }
  for (const metric of metrics) {
    // JSON.stringify would turn NaN or Infinity into null, and CloudWatch would drop the metric.
    if (!Number.isFinite(metric.value))
      throw new TypeError(`EMF metric "${metric.name}" is not a finite number`);
    claim(metric.name, metric.value);
  }
  for (const [name, value] of Object.entries(properties)) claim(name, value);

  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [dimensionNames],
          Metrics: metrics.map(({ name, unit }) => ({ Name: name, Unit: unit })),
        },
      ],
    },
    ...root,
  };
}

/** {@link emfRecord} as the single line to write to stdout. */
export function emfLine(input: EmfInput): string {
  return JSON.stringify(emfRecord(input));
}
