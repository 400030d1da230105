import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UsageError } from "../errors.js";
import { fakeSecretsClient } from "../testing/fake-secrets-client.js";
import { needsSecrets, resolveEnvironment } from "./resolve-environment.js";

const secrets = {
  "prod/db": JSON.stringify({ username: "app", password: "db-PASSWORD-1" }),
  "alpha-vantage": JSON.stringify({ apiKey: "av-KEY-2", tier: "free" }),
  token: "plain-TOKEN-3",
};

describe("resolveEnvironment", () => {
  it("resolves --env, spreads --env-json and the coffer:// values of the environment", async () => {
    const fake = fakeSecretsClient(secrets);
    const result = await resolveEnvironment(
      {
        base: { PATH: "/bin", API_TOKEN: "coffer://token", LITERAL: "aws://not-resolved" },
        explicit: { DB_PASSWORD: "prod/db#password" },
        jsonSecretIds: ["alpha-vantage"],
        prefix: "AV_",
      },
      fake.client,
    );
    assert.deepEqual(result.injected, {
      API_TOKEN: "plain-TOKEN-3",
      DB_PASSWORD: "db-PASSWORD-1",
      AV_API_KEY: "av-KEY-2",
      AV_TIER: "free",
    });
    assert.deepEqual(result.env, { PATH: "/bin", LITERAL: "aws://not-resolved", ...result.injected });
  });

  it("lets --env win over a reference of the same name in the environment", async () => {
    const fake = fakeSecretsClient(secrets);
    const result = await resolveEnvironment(
      { base: { KEY: "coffer://missing" }, explicit: { KEY: "token" }, jsonSecretIds: [], prefix: "" },
      fake.client,
    );
    assert.equal(result.env.KEY, "plain-TOKEN-3");
    assert.deepEqual(fake.asked, ["token"]);
  });

  it("refuses a variable set by both --env and --env-json", async () => {
    const fake = fakeSecretsClient(secrets);
    await assert.rejects(
      resolveEnvironment(
        { base: {}, explicit: { API_KEY: "token" }, jsonSecretIds: ["alpha-vantage"], prefix: "" },
        fake.client,
      ),
      (error: Error) =>
        error instanceof UsageError &&
        /API_KEY is set by both --env and --env-json alpha-vantage/.test(error.message),
    );
  });

  it("knows when there is nothing to fetch", () => {
    const none = { base: { PATH: "/bin" }, explicit: {}, jsonSecretIds: [], prefix: "" };
    assert.equal(needsSecrets(none), false);
    assert.equal(needsSecrets({ ...none, base: { X: "coffer://a" } }), true);
    assert.equal(needsSecrets({ ...none, jsonSecretIds: ["a"] }), true);
    assert.equal(needsSecrets({ ...none, explicit: { A: "a" } }), true);
  });
});
