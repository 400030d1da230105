import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { EXPIRY_GUARD_MS, fastWindowEnd, systemClock } from "./clock.js";
import { resolveCacheOptions } from "./options.js";

describe("fastWindowEnd", () => {
  it("ends no later than the refresh-ahead time, and a guard before expiry", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 10 ** 9 }),
        fc.integer({ min: 0, max: 10 ** 9 }),
        (fetchedAt, ttlMs, refreshAheadMs) => {
          const options = resolveCacheOptions({ ttlMs, refreshAheadMs });
          const expiresAt = fetchedAt + options.ttlMs;
          const refreshAt = options.refreshAheadMs > 0 ? expiresAt - options.refreshAheadMs : expiresAt;
          const end = fastWindowEnd(fetchedAt, expiresAt, refreshAt);
          assert.ok(end <= refreshAt);
          assert.ok(end <= expiresAt - Math.min(EXPIRY_GUARD_MS, Math.floor(ttlMs / 2)));
          // Not shorter than it needs to be: half the TTL at least, or up to the refresh.
          assert.ok(end >= Math.min(refreshAt, fetchedAt + Math.ceil(ttlMs / 2)));
        },
      ),
    );
  });

  it("is empty for a TTL of zero", () => {
    assert.equal(fastWindowEnd(5, 5, 5), 5);
  });
});

describe("systemClock", () => {
  it("runs a timer once and can cancel one", async () => {
    let ran = 0;
    const cancel = systemClock.after(1, () => {
      ran += 100;
    });
    cancel();
    // The clock's timers are unref'd (they never hold a process open), so something must hold the
    // event loop while the test waits for one: alone, Node would end the file with the wait pending.
    const holdLoop = setInterval(() => {}, 60_000);
    try {
      await new Promise<void>((resolve) => systemClock.after(2, resolve));
    } finally {
      clearInterval(holdLoop);
    }
    assert.equal(ran, 0, "the cancelled timer did not run");
  });

  it("clamps delays beyond setTimeout's range instead of firing at once", async () => {
    let ran = false;
    const cancel = systemClock.after(2 ** 40, () => {
      ran = true;
    });
    await new Promise<void>((resolve) => setTimeout(resolve, 5));
    cancel();
    assert.equal(ran, false);
  });
});
