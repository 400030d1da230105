import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { SecretStore } from "../domain/ports/secret-store.js";
import { parseExposition } from "./exposition.test-helper.js";
import { PlainHistogram } from "./plain-histogram.js";
import { timedSecretStore } from "./timed-secret-store.js";

describe("the timed secret store", () => {
  test("passes every call through and observes its latency by method and outcome", async () => {
    const calls: string[] = [];
    let closed = false;
    const inner = {
      findByName: async (region: string, name: string) => {
        calls.push(`findByName ${region} ${name}`);
        return undefined;
      },
      purge: async () => {
        throw new Error("database down");
      },
      touchAccessed: () => {
        throw new TypeError("synchronous fault");
      },
      close: async () => {
        closed = true;
      },
    } as unknown as SecretStore;
    const histogram = new PlainHistogram("store_seconds", "h", ["engine", "method", "outcome"]);
    const store = timedSecretStore(inner, "sqlite", histogram);
    assert.equal(await store.findByName("us-east-1", "app/db"), undefined);
    await assert.rejects(store.purge("arn:aws:secretsmanager:us-east-1:1:secret:x"), /database down/);
    assert.throws(
      () => store.touchAccessed("arn:aws:secretsmanager:us-east-1:1:secret:x", "v", 0),
      TypeError,
    );
    await store.close();
    assert.ok(closed);
    assert.deepEqual(calls, ["findByName us-east-1 app/db"]);
    const text = histogram.toText();
    const counts = [...parseExposition(text).samples]
      .filter(([key]) => key.startsWith("store_seconds_count"))
      .map(([key, value]) => `${key} ${value}`);
    assert.deepEqual(counts.sort(), [
      'store_seconds_count{engine="sqlite",method="findByName",outcome="ok"} 1',
      'store_seconds_count{engine="sqlite",method="purge",outcome="error"} 1',
      'store_seconds_count{engine="sqlite",method="touchAccessed",outcome="error"} 1',
    ]);
    // No argument (a name, an ARN) ever becomes a label.
    assert.ok(!text.includes("app/db") && !text.includes("arn:"));
  });
});
