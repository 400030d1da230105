import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Hooks } from "./hooks.js";

describe("Hooks", () => {
  it("swallows listener faults and is a no-op without listeners", () => {
    const throwing = new Hooks({
      onFetch: () => {
        throw new Error("bug");
      },
      onError: () => {
        throw new Error("bug");
      },
    });
    throwing.fetch({ id: "a", source: "s", cache: "hit", latencyMs: 0, background: false });
    throwing.error(new Error("x"), { id: "a", source: "s", servedStale: false });
    const silent = new Hooks({});
    assert.equal(silent.onFetch, undefined);
    silent.fetch({ id: "a", source: "s", cache: "hit", latencyMs: 0, background: false });
  });
});
