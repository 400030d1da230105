import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CofferClientError } from "../errors.js";
import { DEFAULT_MAX_STALE_MS, DEFAULT_TTL_MS, resolveCacheOptions } from "./options.js";

describe("cache options", () => {
  it("defaults to a 5-minute TTL, refresh ahead, bounded staleness and size", () => {
    const options = resolveCacheOptions(undefined);
    assert.equal(options.enabled, true);
    assert.equal(options.ttlMs, DEFAULT_TTL_MS);
    assert.equal(options.ttlMs, 300_000);
    assert.equal(options.maxStaleMs, DEFAULT_MAX_STALE_MS);
    assert.ok(options.refreshAheadMs > 0 && options.refreshAheadMs < options.ttlMs);
    assert.equal(options.maxEntries, 1000);
  });

  it("keeps at least half the TTL free of refreshes", () => {
    assert.equal(resolveCacheOptions({ ttlMs: 1000, refreshAheadMs: 5000 }).refreshAheadMs, 500);
  });

  it("turns everything off with cache: false", () => {
    const options = resolveCacheOptions(false);
    assert.equal(options.enabled, false);
    assert.equal(options.maxStaleMs, 0);
  });

  it("rejects negative or non-finite numbers", () => {
    assert.throws(() => resolveCacheOptions({ ttlMs: -1 }), CofferClientError);
    assert.throws(() => resolveCacheOptions({ maxStaleMs: Number.NaN }), CofferClientError);
  });
});
