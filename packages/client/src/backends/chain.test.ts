import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BackendUnavailableError } from "../errors.js";
import { FakeBackend } from "../testing/fake-backend.js";
import { ChainBackend } from "./chain.js";

describe("chain of sources", () => {
  it("asks in order; the first that has the secret wins", async () => {
    const env = new FakeBackend("env", { a: "from-env" });
    const coffer = new FakeBackend("coffer", { a: "from-coffer", b: "from-coffer" });
    const chain = new ChainBackend([env, coffer]);
    assert.equal((await chain.get({ id: "a" }))?.source, "env");
    assert.equal((await chain.get({ id: "b" }))?.source, "coffer");
    assert.equal(await chain.get({ id: "c" }), undefined);
    assert.equal(coffer.calls.length, 2);
  });

  it("stops at an error instead of falling through to a lower-priority source", async () => {
    const coffer = new FakeBackend("coffer", { a: "1" });
    coffer.down = true;
    const env = new FakeBackend("env", { a: "2" });
    await assert.rejects(new ChainBackend([coffer, env]).get({ id: "a" }), BackendUnavailableError);
    assert.equal(env.calls.length, 0);
  });

  it("getMany hands each source only what is still missing, in one batch where it can", async () => {
    const env = new FakeBackend("env", { a: "env-a" });
    const coffer = new FakeBackend("coffer", { a: "coffer-a", b: "coffer-b" }, { batch: true });
    const answers = await new ChainBackend([env, coffer]).getMany(["a", "b", "c"]);
    assert.equal((answers.get("a") as { source: string }).source, "env");
    assert.equal((answers.get("b") as { source: string }).source, "coffer");
    assert.equal(answers.get("c"), undefined);
    assert.deepEqual(coffer.batchCalls, [["b", "c"]]);
    assert.equal(coffer.calls.length, 0);
  });
});
