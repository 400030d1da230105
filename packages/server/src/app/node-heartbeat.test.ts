import assert from "node:assert/strict";
import { test } from "node:test";
import { openTestStores, requireTestStores } from "../storage/test-stores.test-helper.js";
import { nodeLiveWindowMs, startNodeHeartbeat, waitForNodesOnKey } from "./node-heartbeat.js";

const { skip } = requireTestStores();

test("a key rotation waits until every live node wraps under the new key, and names the ones that do not", {
  skip,
}, async () => {
  const opened = await openTestStores();
  const { stores } = opened;
  let clock = 5_000_000;
  const now = () => clock;
  const keys = { a: "kek-old", b: "kek-old" };
  const a = startNodeHeartbeat({ nodes: stores.nodes, nodeId: "node-a", activeKekId: () => keys.a, now });
  const b = startNodeHeartbeat({ nodes: stores.nodes, nodeId: "node-b", activeKekId: () => keys.b, now });
  try {
    await a.beat();
    await b.beat();
    await assert.rejects(
      waitForNodesOnKey({ nodes: stores.nodes, kekId: "kek-new", timeoutMs: 0, now }),
      /2 node\(s\) still wrap under another master key .*node-a \(kek-old\), node-b \(kek-old\)/,
    );
    keys.a = "kek-new";
    await a.beat();
    // The wait goes on while node-b lags, and ends at its next heartbeat on the new key.
    const waiting = waitForNodesOnKey({
      nodes: stores.nodes,
      kekId: "kek-new",
      timeoutMs: 60_000,
      now,
      pollMs: 1,
    });
    keys.b = "kek-new";
    await b.beat();
    assert.deepEqual(await waiting, { nodes: 2 });
    // A node that stopped heartbeating (killed) no longer holds a rotation up once its window passes.
    keys.a = "kek-newer";
    await a.beat();
    clock += nodeLiveWindowMs + 1;
    await b.beat();
    await assert.rejects(
      waitForNodesOnKey({ nodes: stores.nodes, kekId: "kek-newer", timeoutMs: 0, now }),
      /node-b/,
    );
    keys.b = "kek-newer";
    await b.beat();
    assert.deepEqual(
      await waitForNodesOnKey({ nodes: stores.nodes, kekId: "kek-newer", timeoutMs: 0, now }),
      { nodes: 1 },
    );
    // A node that stops cleanly removes itself at once.
    await b.stop();
    assert.deepEqual(await stores.nodes.live(0), [
      { nodeId: "node-a", activeKekId: "kek-newer", startedAt: 5_000_000, seenAt: 5_000_000 },
    ]);
  } finally {
    await a.stop();
    await b.stop();
    await opened.close();
  }
});
