import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { parseExposition } from "./exposition.test-helper.js";
import { PlainHistogram } from "./plain-histogram.js";

describe("PlainHistogram", () => {
  test("writes cumulative buckets, +Inf, sum and count per label set", () => {
    const histogram = new PlainHistogram("h_seconds", "help", ["op"], [0.1, 1]);
    const a = histogram.child("A");
    for (const v of [0.05, 0.1, 0.5, 2]) a.observe(v);
    histogram.child("B").observe(0.01);
    assert.equal(histogram.child("A"), a, "the same child every time");
    const { samples, types } = parseExposition(histogram.toText());
    assert.equal(types.get("h_seconds"), "histogram");
    assert.equal(
      samples.get('h_seconds_bucket{op="A",le="0.1"}'),
      2,
      "a value equal to a bound is in that bucket",
    );
    assert.equal(samples.get('h_seconds_bucket{op="A",le="1"}'), 3);
    assert.equal(samples.get('h_seconds_bucket{op="A",le="+Inf"}'), 4);
    assert.equal(samples.get('h_seconds_count{op="A"}'), 4);
    assert.ok(Math.abs((samples.get('h_seconds_sum{op="A"}') ?? 0) - 2.65) < 1e-9);
    assert.equal(samples.get('h_seconds_bucket{op="B",le="0.1"}'), 1);
  });

  test("any observations: each bucket counts exactly the values at or under its bound", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 20, noNaN: true }), { maxLength: 200 }), (observed) => {
        const histogram = new PlainHistogram("p_seconds", "help", []);
        const child = histogram.child();
        for (const v of observed) child.observe(v);
        const { samples } = parseExposition(histogram.toText());
        for (const bound of histogram.bounds) {
          assert.equal(
            samples.get(`p_seconds_bucket{le="${bound}"}`),
            observed.filter((v) => v <= bound).length,
            `le=${bound}`,
          );
        }
        assert.equal(samples.get('p_seconds_bucket{le="+Inf"}'), observed.length);
        assert.equal(samples.get("p_seconds_count"), observed.length);
      }),
    );
  });

  test("refuses bounds that do not increase, and the wrong number of label values", () => {
    assert.throws(() => new PlainHistogram("x", "h", [], [1, 1]), RangeError);
    assert.throws(() => new PlainHistogram("x", "h", ["a"]).child(), RangeError);
  });
});
