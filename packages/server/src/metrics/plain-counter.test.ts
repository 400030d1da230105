import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PlainCounter } from "./plain-counter.js";

describe("PlainCounter", () => {
  test("children are plain, cached per label set, and exported with their labels", async () => {
    const counter = new PlainCounter("c_total", "help", ["a", "b"]);
    const child = counter.child("x", "y");
    child.value++;
    counter.child("x", "y").value += 2;
    counter.child("x", "z").value++;
    const { values, type, name } = await counter.get();
    assert.equal(type, "counter");
    assert.equal(name, "c_total");
    assert.deepEqual(values, [
      { labels: { a: "x", b: "y" }, value: 3 },
      { labels: { a: "x", b: "z" }, value: 1 },
    ]);
    assert.throws(() => counter.child("only-one"), RangeError);
  });

  test("a collect hook copies counts kept elsewhere at each scrape", async () => {
    let source = 5;
    const counter = new PlainCounter("d_total", "help", [], (self) => {
      self.child().value = source;
    });
    assert.deepEqual((await counter.get()).values, [{ labels: {}, value: 5 }]);
    source = 8;
    assert.deepEqual((await counter.get()).values, [{ labels: {}, value: 8 }]);
  });
});
