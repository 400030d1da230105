/**
 * What every engine's RotationSchedule, LeaseStore and NodeRegistry promise
 * (domain/ports/rotation-schedule.ts, stores.ts): due rotations read from the secrets, leases that
 * exactly one holder has until they expire (two holders on two connections, as two nodes), and
 * the nodes' heartbeats. Through the ports only; SQLite is the reference.
 *
 * Test support only: imports node:test, and is not part of the server's API.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Stores } from "../../domain/ports/stores.js";
import type { SecretRotation } from "../../domain/secrets/records.js";
import { type OpenHarness, withHarness } from "./engines.contract.js";
import { arnOf, create, secret, update } from "./records.contract.js";

const day = 86_400_000;

/** A lease's life, claimed by `a` and `b` (on two connections) through one pair of functions. */
interface Lease {
  claim(who: "a" | "b", now: number, ttlMs: number): Promise<boolean>;
  release(who: "a" | "b"): Promise<void>;
}

/** The rules every lease follows, whichever table keeps it; `holder` where the port can say it. */
async function leaseRules(lease: Lease, holderAt?: (now: number) => Promise<string | undefined>) {
  const holds = async (now: number, expected: string | undefined) => {
    if (holderAt) assert.equal(await holderAt(now), expected, `the holder at ${now}`);
  };
  await holds(100, undefined);
  assert.equal(await lease.claim("a", 100, 50), true, "a free lease is taken");
  await holds(100, "a");
  assert.equal(await lease.claim("b", 120, 50), false, "another holder waits");
  assert.equal(await lease.claim("a", 140, 50), true, "the holder renews");
  assert.equal(await lease.claim("b", 189, 50), false, "the renewal holds until 190");
  await holds(189, "a");
  // Expired at its expiry instant: free to the next claim.
  await holds(190, undefined);
  assert.equal(await lease.claim("b", 190, 50), true, "an expired lease is taken by another");
  await holds(200, "b");
  await lease.release("a");
  assert.equal(await lease.claim("a", 200, 50), false, "only the holder's release frees it");
  await lease.release("b");
  await holds(200, undefined);
  assert.equal(await lease.claim("a", 200, 50), true, "a released lease is free at once");
  await lease.release("a");
}

/** Claims racing from both connections at the same instant: exactly one wins. */
async function racingClaims(lease: Lease) {
  const answers = await Promise.all([
    lease.claim("a", 1_000, 60_000),
    lease.claim("b", 1_000, 60_000),
    lease.claim("a", 1_000, 60_000),
    lease.claim("b", 1_000, 60_000),
  ]);
  const winners = new Set((["a", "b", "a", "b"] as const).filter((_, i) => answers[i]));
  assert.equal(winners.size, 1, `one holder wins (answers: ${answers.join(", ")})`);
}

async function withTwoNodes(open: OpenHarness, test: (a: Stores, b: Stores) => Promise<void>) {
  await withHarness(open, async ({ stores, openAnother }) => test(stores, await openAnother()));
}

const rotating = (nextRotationAt: number | undefined, enabled = true): SecretRotation => ({
  enabled,
  lambdaArn: "arn:aws:lambda:us-east-1:123456789012:function:rotate",
  rules: { automaticallyAfterDays: 1 },
  nextRotationAt,
});

export function describeRotationAndLeasesContract(engine: string, open: OpenHarness): void {
  describe(`RotationSchedule, LeaseStore and NodeRegistry contract: ${engine}`, () => {
    it("lists secrets whose rotation is due, soonest first, up to the limit", () =>
      withHarness(open, async ({ stores }) => {
        const store = stores.secrets;
        await store.commit(create(secret("late", { rotation: rotating(3_000) })));
        await store.commit(create(secret("early", { rotation: rotating(1_000) })));
        await store.commit(create(secret("middle", { rotation: rotating(2_000) })));
        await store.commit(create(secret("disabled", { rotation: rotating(500, false) })));
        await store.commit(create(secret("unscheduled", { rotation: rotating(undefined) })));
        await store.commit(create(secret("never")));
        await store.commit(create(secret("deleted", { rotation: rotating(700) })));
        const deleted = await store.findRecordByName("us-east-1", "deleted");
        assert.ok(deleted);
        await store.commit(update(deleted, { secret: { deletedAt: 800, deletionDate: 10 * day } }));

        const due = stores.rotation;
        assert.deepEqual(await due.listDue(999, 10), []);
        assert.deepEqual(await due.listDue(1_000, 10), [arnOf("early")]);
        assert.deepEqual(await due.listDue(10_000, 10), [arnOf("early"), arnOf("middle"), arnOf("late")]);
        assert.deepEqual(await due.listDue(10_000, 2), [arnOf("early"), arnOf("middle")]);
        // A rotation that ran moves its next date on; disabling it takes it out.
        const early = await store.findRecordByName("us-east-1", "early");
        assert.ok(early);
        await store.commit(update(early, { secret: { rotation: rotating(5_000) } }));
        const middle = await store.findRecordByName("us-east-1", "middle");
        assert.ok(middle);
        await store.commit(update(middle, { secret: { rotation: rotating(2_000, false) } }));
        assert.deepEqual(await due.listDue(10_000, 10), [arnOf("late"), arnOf("early")]);
        await store.purge(arnOf("late"));
        assert.deepEqual(await due.listDue(10_000, 10), [arnOf("early")]);
      }));

    it("a rotation lease: one holder until it expires or is released, across two connections", () =>
      withTwoNodes(open, async (a, b) => {
        const arn = arnOf("rotating");
        const node = { a, b };
        const lease: Lease = {
          claim: (who, now, ttlMs) => node[who].rotation.claim(arn, who, now, ttlMs),
          release: (who) => node[who].rotation.release(arn, who),
        };
        await leaseRules(lease);
        // Leases of other secrets are independent.
        assert.equal(await a.rotation.claim(arnOf("one"), "a", 0, 1_000), true);
        assert.equal(await b.rotation.claim(arnOf("two"), "b", 0, 1_000), true);
        assert.equal(await b.rotation.claim(arnOf("one"), "b", 10, 1_000), false);
      }));

    it("racing rotation claims from two connections: exactly one wins", () =>
      withTwoNodes(open, async (a, b) => {
        const node = { a, b };
        await racingClaims({
          claim: (who, now, ttlMs) => node[who].rotation.claim(arnOf("contested"), who, now, ttlMs),
          release: (who) => node[who].rotation.release(arnOf("contested"), who),
        });
      }));

    it("a named lease: one holder until it expires or is released, and who holds it, across two connections", () =>
      withTwoNodes(open, async (a, b) => {
        const node = { a, b };
        await leaseRules(
          {
            claim: (who, now, ttlMs) => node[who].leases.claim("purge-sweep", who, now, ttlMs),
            release: (who) => node[who].leases.release("purge-sweep", who),
          },
          (now) => b.leases.holder("purge-sweep", now),
        );
        assert.equal(await a.leases.claim("scheduler", "a", 0, 1_000), true);
        assert.equal(await b.leases.holder("scheduler", 500), "a");
        assert.equal(await b.leases.holder("purge-sweep", 500), undefined);
        // A rotation lease and a named lease of the same name are different leases.
        assert.equal(await b.rotation.claim("scheduler", "b", 500, 1_000), true);
      }));

    it("racing named-lease claims from two connections: exactly one wins", () =>
      withTwoNodes(open, async (a, b) => {
        const node = { a, b };
        await racingClaims({
          claim: (who, now, ttlMs) => node[who].leases.claim("contested", who, now, ttlMs),
          release: (who) => node[who].leases.release("contested", who),
        });
        const holder = await a.leases.holder("contested", 1_000);
        assert.ok(holder === "a" || holder === "b");
        assert.equal(await b.leases.holder("contested", 1_000), holder);
      }));

    it("the node registry: reports refresh, live nodes by last sight, forget, and day-old nodes pruned", () =>
      withTwoNodes(open, async (a, b) => {
        const report = (nodeId: string, activeKekId: string, seenAt: number, startedAt = 10) => ({
          nodeId,
          activeKekId,
          startedAt,
          seenAt,
        });
        assert.deepEqual(await a.nodes.live(0), []);
        await a.nodes.report(report("node-b", "kek-1", 1_000));
        await b.nodes.report(report("node-a", "kek-1", 2_000));
        await b.nodes.report(report("Node-c", "kek-1", 3_000));
        // In node id order (code points), seen at or after `since`.
        assert.deepEqual(
          (await a.nodes.live(0)).map((n) => n.nodeId),
          ["Node-c", "node-a", "node-b"],
        );
        assert.deepEqual(await b.nodes.live(2_000), [
          report("Node-c", "kek-1", 3_000),
          report("node-a", "kek-1", 2_000),
        ]);
        // A heartbeat refreshes the node's key and last sight.
        await a.nodes.report(report("node-b", "kek-2", 4_000));
        assert.deepEqual(await b.nodes.live(3_500), [report("node-b", "kek-2", 4_000)]);
        await b.nodes.forget("node-a");
        await b.nodes.forget("node-a");
        assert.deepEqual(
          (await a.nodes.live(0)).map((n) => n.nodeId),
          ["Node-c", "node-b"],
        );
        // Nodes not seen for a day are forgotten by the next report.
        await a.nodes.report(report("node-d", "kek-2", 3_500 + day));
        assert.deepEqual(
          (await b.nodes.live(0)).map((n) => n.nodeId),
          ["node-b", "node-d"],
        );
      }));
  });
}
