import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { PlainHistogram } from "./plain-histogram.js";

describe("PlainHistogram", () => {
  test("exports cumulative buckets, +Inf, sum and count per label set", async () => {
    const histogram = new PlainHistogram("h_seconds", "help", ["op"], [0.1, 1]);
    const a = histogram.child("A");
    for (const v of [0.05, 0.1, 0.5, 2]) a.observe(v);
    histogram.child("B").observe(0.01);
    assert.equal(histogram.child("A"), a, "the same child every time");
    const { values, type } = await histogram.get();
    assert.equal(type, "histogram");
    const of = (op: string, metricName: string, le?: string | number) =>
      values.find(
        (v) =>
          v.labels.op === op &&
          v.metricName === metricName &&
          (le === undefined ? v.labels.le === undefined : v.labels.le === le),
      )?.value;
    assert.equal(of("A", "h_seconds_bucket", 0.1), 2, "a value equal to a bound is in that bucket");
    assert.equal(of("A", "h_seconds_bucket", 1), 3);
    assert.equal(of("A", "h_seconds_bucket", "+Inf"), 4);
    assert.equal(of("A", "h_seconds_count"), 4);
    assert.ok(Math.abs((of("A", "h_seconds_sum") ?? 0) - 2.65) < 1e-9);
    assert.equal(of("B", "h_seconds_bucket", 0.1), 1);
  });

  test("any observations: each bucket counts exactly the values at or under its bound", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.double({ min: 0, max: 20, noNaN: true }), { maxLength: 200 }),
        async (observed) => {
          const histogram = new PlainHistogram("p_seconds", "help", []);
          const child = histogram.child();
          for (const v of observed) child.observe(v);
          const { values } = await histogram.get();
          for (const bound of histogram.bounds) {
            const bucket = values.find((v) => v.metricName === "p_seconds_bucket" && v.labels.le === bound);
            assert.equal(bucket?.value, observed.filter((v) => v <= bound).length, `le=${bound}`);
          }
          assert.equal(values.find((v) => v.metricName === "p_seconds_count")?.value, observed.length);
        },
      ),
    );
  });

  test("refuses bounds that do not increase, and the wrong number of label values", () => {
    assert.throws(() => new PlainHistogram("x", "h", [], [1, 1]), RangeError);
    assert.throws(() => new PlainHistogram("x", "h", ["a"]).child(), RangeError);
  });
});
