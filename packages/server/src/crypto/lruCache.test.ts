import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LruCache } from "./lruCache.js";

describe("LruCache", () => {
  it("evicts the least recently used entry once full", () => {
    const cache = new LruCache<string, number>(2);
    cache.set("a", 1);
    cache.set("b", 2);
    assert.equal(cache.get("a"), 1); // "b" is now the oldest
    cache.set("c", 3);

    assert.equal(cache.size, 2);
    assert.equal(cache.get("b"), undefined);
    assert.equal(cache.get("a"), 1);
    assert.equal(cache.get("c"), 3);
  });

  it("stores nothing with capacity 0 and rejects nonsense capacities", () => {
    const cache = new LruCache<string, number>(0);
    cache.set("a", 1);
    assert.equal(cache.get("a"), undefined);
    assert.throws(() => new LruCache(-1), RangeError);
    assert.throws(() => new LruCache(1.5), RangeError);
  });
});
