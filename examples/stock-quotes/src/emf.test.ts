import assert from "node:assert/strict";
import { test } from "node:test";
import { type EmfInput, emfLine, emfRecord } from "./emf.js";
import { assertValidEmf } from "./testing/emf-assertions.js";

const invocation: EmfInput = {
  namespace: "CofferExamples/StockQuotes",
  dimensions: { FunctionName: "stock-quotes" },
  metrics: [
    { name: "ColdStart", unit: "Count", value: 1 },
    { name: "Duration", unit: "Milliseconds", value: 812.47 },
    { name: "MemoryUsed", unit: "Megabytes", value: 96.2 },
  ],
  timestamp: 1732740900000,
};

test("the Lambda invocation record, exactly", () => {
  assert.deepEqual(emfRecord(invocation), {
    _aws: {
      Timestamp: 1732740900000,
      CloudWatchMetrics: [
        {
          Namespace: "CofferExamples/StockQuotes",
          Dimensions: [["FunctionName"]],
          Metrics: [
            { Name: "ColdStart", Unit: "Count" },
            { Name: "Duration", Unit: "Milliseconds" },
            { Name: "MemoryUsed", Unit: "Megabytes" },
          ],
        },
      ],
    },
    FunctionName: "stock-quotes",
    ColdStart: 1,
    Duration: 812.47,
    MemoryUsed: 96.2,
  });
});

test("one valid JSON line, _aws first, properties as plain members", () => {
  const line = emfLine({
    ...invocation,
    properties: { RequestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", StatusCode: 200 },
  });
  const record = assertValidEmf(line);
  assert.ok(line.startsWith('{"_aws":{"Timestamp":1732740900000,'));
  assert.equal(record.RequestId, "c6af9ac6-7b61-11e6-9a41-93e8deadbeef");
  assert.equal(record.StatusCode, 200);
  const metrics = (record._aws as { CloudWatchMetrics: Array<{ Metrics: Array<{ Name: string }> }> })
    .CloudWatchMetrics[0]?.Metrics;
  assert.deepEqual(
    metrics?.map((metric) => metric.Name),
    ["ColdStart", "Duration", "MemoryUsed"],
  );
});

test("the timestamp defaults to now", () => {
  const before = Date.now();
  const record = emfRecord({ ...invocation, timestamp: undefined });
  const timestamp = (record._aws as { Timestamp: number }).Timestamp;
  assert.ok(timestamp >= before && timestamp <= Date.now());
});

test("refuses what CloudWatch would reject or silently drop", () => {
  const refused: Array<[Partial<EmfInput>, RegExp]> = [
    [{ namespace: "" }, /not a valid CloudWatch namespace/],
    [{ namespace: "AWS/Lambda" }, /not a valid CloudWatch namespace/],
    [{ namespace: "has\nnewline" }, /not a valid CloudWatch namespace/],
    [{ timestamp: 1.5 }, /epoch milliseconds/],
    [{ metrics: [] }, /1 to 100 metrics, got 0/],
    [
      {
        metrics: Array.from({ length: 101 }, (_, i) => ({ name: `m${i}`, unit: "Count" as const, value: i })),
      },
      /1 to 100 metrics, got 101/,
    ],
    [
      { metrics: [{ name: "Duration", unit: "Milliseconds", value: Number.NaN }] },
      /"Duration" is not a finite number/,
    ],
    [
      { metrics: [{ name: "Duration", unit: "Milliseconds", value: Number.POSITIVE_INFINITY }] },
      /not a finite number/,
    ],
    [{ dimensions: { FunctionName: "" } }, /dimension "FunctionName" needs a value/],
    [{ metrics: [{ name: "FunctionName", unit: "Count", value: 1 }] }, /"FunctionName" is defined twice/],
    [{ properties: { ColdStart: 0 } }, /"ColdStart" is defined twice/],
    [{ properties: { _aws: "x" } }, /"_aws" is defined twice/],
    [{ metrics: [{ name: "", unit: "Count", value: 1 }] }, /1 to 255 characters/],
    [
      { dimensions: Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`d${i}`, "v"])) },
      /at most 30 dimensions/,
    ],
  ];
  for (const [change, message] of refused) {
    assert.throws(
      () => emfRecord({ ...invocation, ...change }),
      (error: unknown) => {
        assert.ok(error instanceof TypeError);
        assert.match(error.message, message);
        return true;
      },
    );
  }
});
