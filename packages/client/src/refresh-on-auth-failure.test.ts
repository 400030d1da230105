import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createSecretsForTest } from "./client.js";
import { parseConfig } from "./config.js";
import { refreshOnAuthFailure } from "./refresh-on-auth-failure.js";
import { FakeBackend } from "./testing/fake-backend.js";

class AuthError extends Error {}

describe("refreshOnAuthFailure", () => {
  const setup = () => {
    const fake = new FakeBackend("coffer", { db: '{"password":"old"}' });
    const secrets = createSecretsForTest({ sources: [fake], changeFeed: false, config: parseConfig({}) });
    return { fake, secrets };
  };

  it("refetches past the cache and retries once when the value is refused", async () => {
    const { fake, secrets } = setup();
    await secrets.get("db#password");
    fake.set("db", '{"password":"new"}'); // rotated; the cache still holds "old"
    const used: string[] = [];
    const result = await refreshOnAuthFailure(
      secrets,
      "db#password",
      async (password) => {
        used.push(password);
        if (password !== "new") throw new AuthError("login failed");
        return "connected";
      },
      (error) => error instanceof AuthError,
    );
    assert.equal(result, "connected");
    assert.deepEqual(used, ["old", "new"]);
    assert.equal(await secrets.get("db#password"), "new", "the cache now holds the new value");
  });

  it("does not retry other errors, and retries only once", async () => {
    const { fake, secrets } = setup();
    let calls = 0;
    await assert.rejects(
      refreshOnAuthFailure(
        secrets,
        "db#password",
        async () => {
          calls += 1;
          throw new Error("network");
        },
        (error) => error instanceof AuthError,
      ),
      /network/,
    );
    assert.equal(calls, 1);
    calls = 0;
    await assert.rejects(
      refreshOnAuthFailure(
        secrets,
        "db#password",
        async () => {
          calls += 1;
          throw new AuthError("still refused");
        },
        (error) => error instanceof AuthError,
      ),
      AuthError,
    );
    assert.equal(calls, 2);
    assert.equal(fake.calls.length, 2, "one cold read, one forced refetch");
  });
});
