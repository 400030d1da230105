import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { secrets } from "./default-client.js";
import { runModule } from "./testing/live.js";

describe("the default `secrets` client", () => {
  it("is a fixed object whose invalidate and close do nothing before first use", async () => {
    assert.ok(Object.isFrozen(secrets));
    secrets.invalidate("x");
    await secrets.close();
  });

  it("is configured from the environment on first use; bad configuration rejects, it does not throw", async () => {
    const result = await runModule(
      `import { secrets, CofferClientError } from "@coffer/client";
       const pending = secrets.get("x");
       const error = await pending.catch((e) => e);
       console.log(pending instanceof Promise, error instanceof CofferClientError, error.message);`,
      { COFFER_SOURCE: "env,vault" },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^true true COFFER_SOURCE: unknown source "vault"/);
  });

  it("builds a new client after close()", async () => {
    const result = await runModule(
      `import { secrets } from "@coffer/client";
       const first = await secrets.get("greeting");
       await secrets.close();
       process.env.GREETING = "changed";
       const second = await secrets.get("greeting");
       console.log(first, second);`,
      { COFFER_SOURCE: "env", GREETING: "hello" },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), "hello changed");
  });
});
