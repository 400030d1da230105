import assert from "node:assert/strict";

/**
 * Checks one log line against the Embedded Metric Format specification's rules: an object with
 * `_aws.Timestamp` (epoch ms) and `CloudWatchMetrics` directives whose dimension names point at
 * string members and whose metric names point at numeric members. Returns the parsed object.
 */
export function assertValidEmf(line: string): Record<string, unknown> {
  assert.equal(line.includes("\n"), false, "an EMF record is one line");
  const record: unknown = JSON.parse(line);
  assert.ok(isObject(record), "an EMF record is a JSON object");
  const aws = record._aws;
  assert.ok(isObject(aws), "_aws is an object");
  assert.ok(Number.isInteger(aws.Timestamp) && (aws.Timestamp as number) > 0, "_aws.Timestamp is epoch ms");
  assert.ok(Array.isArray(aws.CloudWatchMetrics) && aws.CloudWatchMetrics.length > 0, "CloudWatchMetrics");
  for (const directive of aws.CloudWatchMetrics as unknown[]) {
    assert.ok(isObject(directive));
    assert.equal(typeof directive.Namespace, "string");
    assert.ok(Array.isArray(directive.Dimensions), "Dimensions is an array of dimension sets");
    for (const set of directive.Dimensions as unknown[]) {
      assert.ok(Array.isArray(set) && set.length <= 30, "a dimension set is an array of at most 30 names");
      for (const name of set as unknown[]) {
        assert.equal(typeof name, "string");
        assert.equal(typeof record[name as string], "string", `dimension ${String(name)} has a string value`);
      }
    }
    assert.ok(Array.isArray(directive.Metrics) && directive.Metrics.length <= 100, "Metrics");
    for (const metric of directive.Metrics as unknown[]) {
      assert.ok(isObject(metric) && typeof metric.Name === "string", "a metric has a Name");
      const value = record[metric.Name as string];
      assert.ok(
        typeof value === "number" && Number.isFinite(value),
        `metric ${String(metric.Name)} is a number`,
      );
    }
  }
  return record;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
