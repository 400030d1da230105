import assert from "node:assert/strict";
import { test } from "node:test";
import { openTestStores, requireTestStores } from "../storage/test-stores.test-helper.js";
import { BackgroundLease } from "./background-lease.js";

const { skip } = requireTestStores();

test("one of several nodes holds the lease; another takes over when it stops or its claim runs out", {
  skip,
}, async () => {
  // Three nodes: three `Stores` on the same data (a SQLite file, or a PostgreSQL database).
  const data = await openTestStores();
  const nodes = [data.stores, await data.openAnother(), await data.openAnother()];
  let clock = 1_000_000;
  const now = () => clock;
  const leases = nodes.map(
    (stores, i) =>
      new BackgroundLease({ leases: stores.leases, name: "purge", holder: `node-${i}`, ttlMs: 9_000, now }),
  );
  try {
    for (const lease of leases) await lease.start();
    assert.deepEqual(
      leases.map((l) => l.held()),
      [true, false, false],
    );
    // The holder stops cleanly: the lease is released, the next attempt of another node wins.
    await leases[0]?.stop();
    assert.equal(leases[0]?.held(), false);
    await leases[1]?.attempt();
    await leases[2]?.attempt();
    assert.deepEqual(
      leases.map((l) => l.held()),
      [false, true, false],
    );
    // node-1 dies without releasing: until its claim expires nobody else gets it, then node-2 does.
    clock += 8_999;
    await leases[2]?.attempt();
    assert.equal(leases[2]?.held(), false);
    clock += 2;
    assert.equal(leases[1]?.held(), false, "a claim that ran out is not held, even before a renewal");
    await leases[2]?.attempt();
    assert.equal(leases[2]?.held(), true);
  } finally {
    for (const lease of leases) await lease.stop();
    await data.close();
  }
});

test("a failing store gives the lease up at once", async () => {
  let fail = false;
  const changes: boolean[] = [];
  const lease = new BackgroundLease({
    leases: {
      claim: async () => {
        if (fail) throw new Error("connection terminated");
        return true;
      },
      release: async () => {},
      holder: async () => undefined,
    },
    name: "purge",
    holder: "node-a",
    onChange: (held) => changes.push(held),
    onError: () => {},
  });
  await lease.start();
  assert.equal(lease.held(), true);
  fail = true;
  await lease.attempt();
  assert.equal(lease.held(), false);
  assert.deepEqual(changes, [true, false]);
  await lease.stop();
});
