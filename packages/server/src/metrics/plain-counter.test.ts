import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseExposition } from "./exposition.test-helper.js";
import { PlainCounter } from "./plain-counter.js";

describe("PlainCounter", () => {
  test("children are plain, cached per label set, and written with their labels", () => {
    const counter = new PlainCounter("c_total", "help", ["a", "b"]);
    const child = counter.child("x", "y");
    child.value++;
    counter.child("x", "y").value += 2;
    counter.child("x", 'z"\\\n').value++;
    assert.equal(counter.child("x", "y"), child);
    assert.equal(
      counter.toText(),
      '# HELP c_total help\n# TYPE c_total counter\nc_total{a="x",b="y"} 3\nc_total{a="x",b="z\\"\\\\\\n"} 1\n',
    );
    assert.throws(() => counter.child("only-one"), RangeError);
  });

  test("a collect hook copies counts kept elsewhere at each scrape", () => {
    let source = 5;
    const counter = new PlainCounter("d_total", "help", [], (self) => {
      self.child().value = source;
    });
    assert.equal(parseExposition(counter.toText()).samples.get("d_total"), 5);
    source = 8;
    assert.equal(parseExposition(counter.toText()).samples.get("d_total"), 8);
  });
});
