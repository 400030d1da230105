import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { BackendUnavailableError, SecretNotFoundError } from "../errors.js";
import { Hooks } from "../hooks.js";
import { parseReference, type Target, toTarget } from "../reference.js";
import { ManualClock } from "../testing/manual-clock.js";
import { deferred } from "../testing/wait.js";
import type { ErrorContext, FetchEvent, SecretRecord } from "../types.js";
import { EXPIRY_GUARD_MS } from "./clock.js";
import { resolveCacheOptions } from "./options.js";
import { type CacheEntry, type LastKnownGood, SecretCache } from "./secret-cache.js";

function target(id: string): Target {
  return toTarget(parseReference(id));
}

/**
 * A cache over a scripted loader, with a hand-driven clock: one with timers (hits in an entry's
 * fast window read no clock), or one that only reads time (every hit reads it).
 */
function makeHarness(
  clockKind: ClockKind,
  options: Parameters<typeof resolveCacheOptions>[0] = {},
  lastKnownGood?: LastKnownGood,
) {
  const clock = new ManualClock();
  const events: FetchEvent[] = [];
  const errors: Array<{ error: Error; context: ErrorContext }> = [];
  const loads: string[] = [];
  let version = 0;
  let behaviour: "ok" | "down" | "missing" = "ok";
  let gate: Promise<void> | undefined;
  const cache = new SecretCache(resolveCacheOptions(options), {
    hooks: new Hooks({
      onFetch: (event) => events.push(event),
      onError: (error, context) => errors.push({ error, context }),
    }),
    ...(clockKind === "timers" ? { clock } : { now: clock.now }),
    lastKnownGood,
    load: async (t) => {
      loads.push(t.id);
      await gate;
      if (behaviour === "down") throw new BackendUnavailableError("fake", "down", { secretId: t.id });
      if (behaviour === "missing") throw new SecretNotFoundError(t.id);
      version += 1;
      return { id: t.id, source: "fake", name: t.id, string: `value-${version}` } satisfies SecretRecord;
    },
    loadMany: async (targets) => {
      loads.push(`batch:${targets.map((t) => t.id).join(",")}`);
      await gate;
      return new Map(targets.map((t) => [t.key, { id: t.id, source: "fake", string: `batch-${t.id}` }]));
    },
  });
  return {
    cache,
    events,
    errors,
    loads,
    advance: (ms: number) => clock.advance(ms),
    set: (next: typeof behaviour) => {
      behaviour = next;
    },
    hold: () => {
      const gateway = deferred<void>();
      gate = gateway.promise;
      return () => {
        gate = undefined;
        gateway.resolve();
      };
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

type ClockKind = "timers" | "read-only";
for (const clockKind of ["timers", "read-only"] as const) {
  const harness = (options?: Parameters<typeof resolveCacheOptions>[0], lastKnownGood?: LastKnownGood) =>
    makeHarness(clockKind, options, lastKnownGood);
  describe(`SecretCache (${clockKind} clock)`, () => {
    it("serves hits without calling the backend, until the TTL runs out", async () => {
      const h = harness({ ttlMs: 1000, refreshAheadMs: 0 });
      const t = target("a");
      assert.equal(h.cache.hit(t), undefined);
      const first = await h.cache.fetch(t, false);
      assert.equal(first.record.string, "value-1");
      h.advance(999);
      assert.equal(h.cache.hit(t), first);
      assert.deepEqual(h.loads, ["a"]);
      h.advance(1);
      assert.equal(h.cache.hit(t), undefined);
      assert.equal((await h.cache.fetch(t, false)).record.string, "value-2");
      assert.deepEqual(
        h.events.map((event) => event.cache),
        ["miss", "hit", "miss"],
      );
    });

    it("makes one backend call for N concurrent cold requests", async () => {
      const h = harness();
      const release = h.hold();
      const requests = Array.from({ length: 50 }, () => h.cache.fetch(target("a"), false));
      release();
      const entries = await Promise.all(requests);
      assert.deepEqual(h.loads, ["a"]);
      assert.ok(entries.every((entry) => entry === entries[0]));
    });

    it("refreshes ahead of expiry in the background, serving the current value meanwhile", async () => {
      const h = harness({ ttlMs: 1000, refreshAheadMs: 200 });
      const t = target("a");
      await h.cache.fetch(t, false);
      h.advance(799);
      h.cache.hit(t);
      assert.deepEqual(h.loads, ["a"]);
      h.advance(1);
      const release = h.hold();
      assert.equal(h.cache.hit(t)?.record.string, "value-1", "the hit is answered at once");
      assert.equal(h.cache.hit(t)?.record.string, "value-1");
      assert.deepEqual(h.loads, ["a", "a"], "one refresh, not one per hit");
      release();
      await settle();
      assert.equal(h.cache.hit(t)?.record.string, "value-2");
      assert.ok(h.events.some((event) => event.background && event.cache === "miss"));
    });

    it("serves the last good value within maxStale while the backend is unreachable, reports it, then fails", async () => {
      const h = harness({ ttlMs: 1000, refreshAheadMs: 0, maxStaleMs: 5000 });
      const t = target("a");
      await h.cache.fetch(t, false);
      h.set("down");
      h.advance(1500);
      assert.equal(h.cache.hit(t), undefined);
      const stale = await h.cache.fetch(t, false);
      assert.equal(stale.record.string, "value-1");
      assert.equal(h.errors.length, 1);
      assert.equal(h.errors[0]?.context.servedStale, true);
      assert.equal(h.errors[0]?.context.id, "a");
      assert.ok(h.errors[0]?.error instanceof BackendUnavailableError);
      assert.equal(h.events.at(-1)?.cache, "stale");

      // Within the retry pause the backend is not asked again.
      const loadsBefore = h.loads.length;
      await h.cache.fetch(t, false);
      assert.equal(h.loads.length, loadsBefore);
      h.advance(1000);
      await h.cache.fetch(t, false);
      assert.equal(h.loads.length, loadsBefore + 1);

      h.advance(4600); // 1000 + 5000 + 100 past the fetch: beyond TTL + maxStale
      await assert.rejects(h.cache.fetch(t, false), BackendUnavailableError);

      h.set("ok");
      assert.equal((await h.cache.fetch(t, false)).record.string, "value-2");
    });

    it("never serves stale for errors other than unavailability, and forgets deleted secrets", async () => {
      const h = harness({ ttlMs: 1000, refreshAheadMs: 0, maxStaleMs: 5000 });
      const t = target("a");
      await h.cache.fetch(t, false);
      h.set("missing");
      h.advance(1500);
      await assert.rejects(h.cache.fetch(t, false), SecretNotFoundError);
      assert.equal(h.cache.size, 0);
      assert.equal(h.errors.length, 0);
    });

    it("forceFetch goes to the backend even when fresh, and the result refreshes the cache", async () => {
      const h = harness();
      const t = target("a");
      await h.cache.fetch(t, false);
      const forced = await h.cache.fetch(t, true);
      assert.equal(forced.record.string, "value-2");
      assert.equal(h.cache.hit(t)?.record.string, "value-2");
    });

    it("drops one or all entries, and ignores the result of a request under way when dropped", async () => {
      const h = harness();
      await h.cache.fetch(target("a"), false);
      await h.cache.fetch(target("b"), false);
      h.cache.drop((t) => t.id === "a");
      assert.equal(h.cache.hit(target("a")), undefined);
      assert.ok(h.cache.hit(target("b")));
      h.cache.drop();
      assert.equal(h.cache.size, 0);

      const release = h.hold();
      const pending = h.cache.fetch(target("c"), false);
      h.cache.drop();
      release();
      assert.equal(
        (await pending).record.string !== undefined,
        true,
        "the waiting caller still gets its answer",
      );
      assert.equal(h.cache.hit(target("c")), undefined, "but it is not kept");
    });

    it("expire() makes matching entries refetch in the background and serves the new value", async () => {
      const h = harness({ ttlMs: 60_000 });
      const t = target("a");
      await h.cache.fetch(t, false);
      const release = h.hold();
      assert.equal(
        h.cache.expire(
          (x) => x.id === "a",
          () => true,
        ),
        1,
      );
      assert.equal(h.cache.hit(t), undefined);
      const waiting = h.cache.fetch(t, false);
      release();
      assert.equal(
        (await waiting).record.string,
        "value-2",
        "a caller joins the refetch instead of seeing the old value",
      );
      assert.deepEqual(h.loads, ["a", "a"]);
    });

    it("stays within maxEntries, dropping the least recently used", async () => {
      const h = harness({ maxEntries: 2 });
      await h.cache.fetch(target("a"), false);
      await h.cache.fetch(target("b"), false);
      h.cache.hit(target("a"));
      await h.cache.fetch(target("c"), false);
      assert.equal(h.cache.size, 2);
      assert.ok(h.cache.hit(target("a")));
      assert.equal(h.cache.hit(target("b")), undefined);
    });

    it("keeps nothing with cache: false but still coalesces", async () => {
      const h = harness(false);
      const release = h.hold();
      const both = Promise.all([h.cache.fetch(target("a"), false), h.cache.fetch(target("a"), false)]);
      release();
      await both;
      assert.deepEqual(h.loads, ["a"]);
      assert.equal(h.cache.size, 0);
      await h.cache.fetch(target("a"), false);
      assert.deepEqual(h.loads, ["a", "a"]);
    });

    it("fetchMany batches what is missing, reuses hits and requests under way", async () => {
      const h = harness();
      await h.cache.fetch(target("a"), false);
      const release = h.hold();
      const underWay = h.cache.fetch(target("b"), false);
      const many = h.cache.fetchMany([target("a"), target("b"), target("c"), target("d"), target("c#x")]);
      release();
      const [entries] = await Promise.all([many, underWay]);
      assert.deepEqual(h.loads, ["a", "b", "batch:c,d"]);
      assert.deepEqual(
        entries.map((entry) => (entry as CacheEntry).record.string),
        ["value-1", "value-2", "batch-c", "batch-d", "batch-c"],
      );
    });

    it("uses the last-known-good store only when the backend is unreachable and memory has nothing", async () => {
      const remembered: Array<[string, string | undefined]> = [];
      const store: LastKnownGood = {
        lookup: async (key, now) =>
          key === target("old").key
            ? {
                record: { id: "old", source: "coffer", string: "from-file" },
                fetchedAt: now - 10,
                usableUntil: now + 1000,
              }
            : undefined,
        remember: (key, record) => remembered.push([key, record.string]),
        forget: (key) => remembered.push([key, undefined]),
      };
      const h = harness({ ttlMs: 1000 }, store);
      await h.cache.fetch(target("a"), false);
      assert.deepEqual(remembered, [[target("a").key, "value-1"]]);
      h.set("down");
      const entry = await h.cache.fetch(target("old"), false);
      assert.equal(entry.record.string, "from-file");
      assert.equal(h.errors.at(-1)?.context.servedStale, true);
      await assert.rejects(h.cache.fetch(target("other"), false), BackendUnavailableError);
      h.set("ok");
      h.advance(1001);
      assert.equal(
        (await h.cache.fetch(target("old"), false)).record.string,
        "value-2",
        "the backend wins once reachable",
      );
    });

    it("reports background refresh failures through onError without failing hits", async () => {
      const h = harness({ ttlMs: 1000, refreshAheadMs: 500 });
      const t = target("a");
      await h.cache.fetch(t, false);
      h.set("down");
      h.advance(600);
      assert.equal(h.cache.hit(t)?.record.string, "value-1");
      await settle();
      assert.equal(h.errors.length, 1);
      assert.equal(h.errors[0]?.context.servedStale, false);
      h.cache.hit(t);
      await settle();
      assert.equal(h.errors.length, 1, "no retry storm: the next refresh waits");
    });

    it("freezes records so a shared cached value cannot be changed", async () => {
      const h = harness();
      const entry = await h.cache.fetch(target("a"), false);
      assert.ok(Object.isFrozen(entry.record));
    });
  });
}

/** A cache whose loader answers `<id>-<n>` for the n-th load of id, on the given clock. */
function plainCache(options: Parameters<typeof resolveCacheOptions>[0], clock: ManualClock, kind: ClockKind) {
  const loads: string[] = [];
  const counts = new Map<string, number>();
  const cache = new SecretCache(resolveCacheOptions(options), {
    hooks: new Hooks({}),
    ...(kind === "timers" ? { clock } : { now: clock.now }),
    load: async (t) => {
      loads.push(t.id);
      const n = (counts.get(t.id) ?? 0) + 1;
      counts.set(t.id, n);
      return { id: t.id, source: "fake", string: `${t.id}-${n}` } satisfies SecretRecord;
    },
    loadMany: async () => new Map(),
  });
  return { cache, loads };
}

const ids = ["a", "b", "c", "d", "e"];
const idArb = fc.constantFrom(...ids);

describe("SecretCache fast window", () => {
  it("a hit in the fast window reads no clock; after it, each hit does", async () => {
    const clock = new ManualClock();
    let reads = 0;
    const counting = {
      now: () => {
        reads += 1;
        return clock.now();
      },
      after: clock.after,
    };
    const cache = new SecretCache(resolveCacheOptions({ ttlMs: 10_000, refreshAheadMs: 2_000 }), {
      hooks: new Hooks({}),
      clock: counting,
      load: async (t) => ({ id: t.id, source: "fake", string: "v" }),
      loadMany: async () => new Map(),
    });
    const t = target("a");
    const entry = await cache.fetch(t, false);
    reads = 0;
    for (let i = 0; i < 100; i++) assert.equal(cache.hit(t), entry);
    assert.equal(reads, 0);
    clock.advance(8_000); // the refresh-ahead time: the timer ends the window
    cache.hit(t);
    assert.equal(reads, 1);
  });

  it("replacing, dropping and expiring entries cancels their timers", async () => {
    const clock = new ManualClock();
    const { cache } = plainCache({ ttlMs: 60_000 }, clock, "timers");
    await cache.fetch(target("a"), false);
    await cache.fetch(target("b"), false);
    assert.equal(clock.pending, 2);
    await cache.fetch(target("a"), true);
    assert.equal(clock.pending, 2, "the replaced entry's timer is gone");
    cache.drop((t) => t.id === "a");
    assert.equal(clock.pending, 1);
    cache.expire(
      (t) => t.id === "b",
      () => false,
    );
    assert.equal(clock.pending, 0);
  });

  it("with timers on time, answers exactly as a cache that reads the clock on every hit", async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 1_500 }) }),
      fc.record({ kind: fc.constantFrom("hit" as const, "fetch" as const, "force" as const), id: idArb }),
      fc.record({ kind: fc.constantFrom("expire" as const, "drop" as const), id: idArb }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2_000 }),
        fc.integer({ min: 0, max: 1_000 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(op, { maxLength: 40 }),
        async (ttlMs, refreshAheadMs, maxEntries, ops) => {
          const clock = new ManualClock();
          const options = { ttlMs, refreshAheadMs, maxEntries, maxStaleMs: 0 };
          const fast = plainCache(options, clock, "timers");
          const checked = plainCache(options, clock, "read-only");
          for (const step of ops) {
            if (step.kind === "advance") {
              clock.advance(step.ms);
              continue;
            }
            const answers: Array<string | undefined> = [];
            for (const { cache } of [fast, checked]) {
              const t = target(step.id);
              if (step.kind === "hit") answers.push(cache.hit(t)?.record.string);
              else if (step.kind === "fetch" || step.kind === "force")
                answers.push((await cache.fetch(t, step.kind === "force")).record.string);
              else if (step.kind === "expire")
                cache.expire(
                  (x) => x.id === step.id,
                  () => true,
                );
              else cache.drop((x) => x.id === step.id);
              await settle(); // background refreshes land
            }
            assert.equal(answers[0], answers[1], `${step.kind} ${"id" in step ? step.id : ""}`);
            assert.deepEqual(fast.loads, checked.loads);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("ends the fast window a guard before expiry, so timers late by less cannot serve an expired entry", async () => {
    const clock = new ManualClock();
    const { cache } = plainCache({ ttlMs: 10_000, refreshAheadMs: 0 }, clock, "timers");
    const t = target("a");
    await cache.fetch(t, false);
    clock.advance(9_500); // the window's timer (due at 9,000) ran
    clock.advance(600, { late: true }); // the event loop then stalls past expiry: no timer would run
    assert.equal(cache.hit(t), undefined);
  });

  it("never serves an expired entry while its timer is late by less than the guard", async () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant("advance" as const),
        ms: fc.integer({ min: 0, max: 1_500 }),
        late: fc.boolean(),
      }),
      fc.record({ kind: fc.constantFrom("hit" as const, "fetch" as const), id: fc.constantFrom("a", "b") }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 5_000 }),
        fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2_000 })),
        fc.array(op, { maxLength: 40 }),
        async (ttlMs, refreshAheadMs, ops) => {
          const clock = new ManualClock();
          const { cache } = plainCache({ ttlMs, refreshAheadMs, maxStaleMs: 0 }, clock, "timers");
          const guard = Math.min(EXPIRY_GUARD_MS, Math.floor(ttlMs / 2));
          let lateFor = 0;
          for (const step of ops) {
            if (step.kind === "advance") {
              // A blocked event loop: time moves, timers wait (by less than the guard in all).
              if (step.late && lateFor + step.ms < guard) {
                lateFor += step.ms;
                clock.advance(step.ms, { late: true });
              } else {
                lateFor = 0;
                clock.fire();
                clock.advance(step.ms);
              }
              continue;
            }
            if (step.kind === "fetch") {
              await cache.fetch(target(step.id), false); // a load answers what it loaded, whatever the TTL
              continue;
            }
            const entry = cache.hit(target(step.id));
            if (entry !== undefined) assert.ok(clock.now() < entry.expiresAt, "served an expired entry");
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe("SecretCache eviction (second-chance LRU)", () => {
  it("stays within maxEntries, keeps what it just stored, and evicts an entry hit since the last eviction only when every other one was hit", async () => {
    const op = fc.record({ kind: fc.constantFrom("hit" as const, "fetch" as const), id: idArb });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(op, { maxLength: 60 }),
        async (maxEntries, ops) => {
          const clock = new ManualClock();
          const { cache } = plainCache({ ttlMs: 3_600_000, maxEntries }, clock, "timers");
          const hitSinceEviction = new Set<string>();
          const neverHit = new Set<string>();
          for (const step of ops) {
            const t = target(step.id);
            if (step.kind === "hit") {
              if (cache.hit(t) !== undefined) {
                hitSinceEviction.add(step.id);
                neverHit.delete(step.id);
              }
              continue;
            }
            if (cache.has(t)) continue; // a fresh entry: fetch would not store anything
            const before = ids.filter((id) => cache.has(target(id)));
            await cache.fetch(t, false);
            assert.ok(cache.has(t), "the entry just stored is kept");
            assert.ok(cache.size <= maxEntries);
            const evicted = before.filter((id) => !cache.has(target(id)));
            assert.ok(evicted.length <= 1);
            const [victim] = evicted;
            if (victim !== undefined) {
              const othersNeverHit = [...neverHit].filter((id) => id !== victim);
              if (hitSinceEviction.has(victim)) {
                assert.deepEqual(othersNeverHit, [], `evicted ${victim}, hit since the last eviction`);
              }
              hitSinceEviction.clear();
              neverHit.delete(victim);
            }
            neverHit.add(step.id);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
