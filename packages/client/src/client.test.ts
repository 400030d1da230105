import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import * as v from "valibot";
import { z } from "zod";
import { createSecretsForTest } from "./client.js";
import { parseConfig } from "./config.js";
import {
  BackendUnavailableError,
  CofferClientError,
  SecretNotFoundError,
  SecretValidationError,
  UnresolvedReferencesError,
} from "./errors.js";
import { assertNoCanary, canary, rejectsWithoutLeak, renderError } from "./testing/canary.js";
import { FakeBackend } from "./testing/fake-backend.js";
import type { ErrorContext, FetchEvent, SecretsOptions } from "./types.js";

function client(options: SecretsOptions = {}, env: Record<string, string> = {}) {
  return createSecretsForTest({ changeFeed: false, ...options, config: parseConfig(env) });
}

describe("createSecrets", () => {
  it("reads JSON in one line and one field as a string", async () => {
    const fake = new FakeBackend("coffer", {
      "alpha-vantage": JSON.stringify({ apiKey: "demo-key", port: 5432 }),
    });
    const secrets = client({ sources: [fake] });
    const { apiKey } = await secrets.getJson<{ apiKey: string }>("alpha-vantage");
    assert.equal(apiKey, "demo-key");
    assert.equal(await secrets.get("alpha-vantage#apiKey"), "demo-key");
    assert.equal(await secrets.get("alpha-vantage#port"), "5432");
    assert.equal(await secrets.getJson("alpha-vantage#port"), 5432);
    assert.equal(await secrets.get("alpha-vantage"), JSON.stringify({ apiKey: "demo-key", port: 5432 }));
    assert.equal(fake.calls.length, 1, "one record serves the whole secret and its fields");
  });

  it("answers hits from memory with the same frozen object, without calling the backend", async () => {
    const fake = new FakeBackend("coffer", { a: '{"nested":{"list":[1]}}' });
    const secrets = client({ sources: [fake] });
    const first = await secrets.getJson<{ nested: { list: number[] } }>("a");
    const second = await secrets.getJson<{ nested: { list: number[] } }>("a");
    assert.equal(first, second);
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first.nested.list));
    assert.throws(() => {
      first.nested.list.push(2);
    }, TypeError);
    const record = await secrets.getRecord("a");
    assert.ok(Object.isFrozen(record));
    assert.equal(fake.calls.length, 1);
  });

  for (const [library, schema] of [
    ["zod", z.object({ user: z.string(), port: z.number() })],
    ["valibot", v.object({ user: v.string(), port: v.number() })],
  ] as const) {
    it(`validates getJson with a Standard Schema validator (${library})`, async () => {
      const user = canary("user");
      const port = canary("port");
      const fake = new FakeBackend("coffer", {
        good: JSON.stringify({ user, port: 1, extra: true }),
        bad: JSON.stringify({ user: 5, port }),
      });
      const secrets = client({ sources: [fake] });
      const value = await secrets.getJson("good", { schema });
      assert.equal(value.user, user);
      assert.equal(await secrets.getJson("good", { schema }), value, "validated once per cached value");
      const error = await rejectsWithoutLeak(() => secrets.getJson("bad", { schema }), user, port);
      assert.ok(error instanceof SecretValidationError);
      assert.equal(error.secretId, "bad");
      assert.deepEqual(
        error.issues.map((issue) => issue.path.join(".")),
        ["user", "port"],
      );
    });
  }

  it("validates a #field with the field's path", async () => {
    const fake = new FakeBackend("coffer", { db: JSON.stringify({ port: "x" }) });
    const error = await rejectsWithoutLeak(
      () => client({ sources: [fake] }).getJson("db#port", { schema: z.number() }),
      '"x"',
    );
    assert.ok(error instanceof SecretValidationError);
    assert.deepEqual(error.issues[0]?.path, ["port"]);
  });

  it("keeps values out of every error: bad JSON, missing field, non-object, binary", async () => {
    const value = canary();
    const fake = new FakeBackend("coffer", {
      text: value,
      list: JSON.stringify([value]),
      obj: JSON.stringify({ a: value }),
    });
    fake.set("bin", new TextEncoder().encode(value));
    const secrets = client({ sources: [fake] });
    const notJson = await rejectsWithoutLeak(() => secrets.getJson("text"), value);
    assert.ok(notJson instanceof SecretValidationError);
    await rejectsWithoutLeak(() => secrets.get("text#field"), value);
    const noField = await rejectsWithoutLeak(() => secrets.get("obj#b"), value);
    assert.ok(noField instanceof SecretNotFoundError);
    assert.equal(noField.field, "b");
    await rejectsWithoutLeak(() => secrets.get("list#a"), value);
    await rejectsWithoutLeak(() => secrets.get("bin"), value);
    await rejectsWithoutLeak(() => secrets.getJson("bin"), value);
    await rejectsWithoutLeak(() => secrets.resolve({ A: "obj#b", B: "text#x", C: "missing" }), value);
  });

  it("reads binary and records", async () => {
    const fake = new FakeBackend("coffer", { text: "héllo" });
    fake.set("bin", new Uint8Array([0, 255]));
    const secrets = client({ sources: [fake] });
    assert.deepEqual(await secrets.getBinary("bin"), new Uint8Array([0, 255]));
    const copy = await secrets.getBinary("bin");
    copy[0] = 9;
    assert.deepEqual(await secrets.getBinary("bin"), new Uint8Array([0, 255]), "callers get a copy");
    assert.deepEqual(await secrets.getBinary("text"), new Uint8Array(Buffer.from("héllo")));
    await assert.rejects(secrets.getBinary("text#x"), CofferClientError);
    const record = await secrets.getRecord("text");
    assert.equal(record.source, "coffer");
    assert.equal(record.id, "text");
    assert.equal(record.string, "héllo");
  });

  it("makes one backend call for 100 concurrent cold requests", async () => {
    const fake = new FakeBackend("coffer", { a: '{"k":"v"}' });
    let release!: () => void;
    fake.gate = new Promise((resolve) => {
      release = resolve;
    });
    const secrets = client({ sources: [fake] });
    const all = Promise.all([
      ...Array.from({ length: 50 }, () => secrets.get("a#k")),
      ...Array.from({ length: 50 }, () => secrets.getJson("a")),
    ]);
    release();
    await all;
    assert.equal(fake.calls.length, 1);
  });

  it("forceFetch goes to the backend; invalidate drops one or all", async () => {
    const fake = new FakeBackend("coffer", { a: "1", b: "2" });
    const secrets = client({ sources: [fake] });
    await secrets.get("a");
    await secrets.get("b");
    fake.set("a", "1b");
    assert.equal(await secrets.get("a"), "1");
    assert.equal(await secrets.get("a", { forceFetch: true }), "1b");
    assert.equal(await secrets.get("a"), "1b");
    fake.set("a", "1c");
    secrets.invalidate("a#anything");
    assert.equal(await secrets.get("a"), "1c");
    fake.set("b", "2b");
    secrets.invalidate();
    assert.equal(await secrets.get("b"), "2b");
    assert.equal(fake.calls.length, 5);
  });

  it("caches versions separately and passes version options to the backend", async () => {
    const fake = new FakeBackend("coffer", { a: "1" });
    const secrets = client({ sources: [fake] });
    await secrets.get("a", { versionId: "v1" });
    await secrets.get("a", { versionStage: "AWSPREVIOUS" });
    await secrets.get("a");
    await secrets.get("a", { versionId: "v1" });
    assert.deepEqual(
      fake.calls.map((call) => [call.versionId, call.versionStage]),
      [
        ["v1", undefined],
        [undefined, "AWSPREVIOUS"],
        [undefined, undefined],
      ],
    );
  });

  it("resolve() batches, mixes sources and returns strings", async () => {
    const coffer = new FakeBackend(
      "coffer",
      { "prod/db": '{"password":"p","user":"u"}', "api/key": "k" },
      { batch: true },
    );
    const env = new FakeBackend("env", { DB_HOST: "h" });
    const secrets = client({ sources: [env, coffer] });
    const resolved = await secrets.resolve({
      DB_PASSWORD: "prod/db#password",
      DB_USER: "prod/db#user",
      KEY: "coffer://api/key",
      HOST: "env://DB_HOST",
    });
    assert.deepEqual(resolved, { DB_PASSWORD: "p", DB_USER: "u", KEY: "k", HOST: "h" });
    assert.deepEqual(coffer.batchCalls.map((ids) => ids.join()).sort(), ["api/key", "prod/db"]);
    assert.equal(coffer.calls.length, 0, "no single GetSecretValue");
    assert.deepEqual(await secrets.resolve({ AGAIN: "prod/db#user" }), { AGAIN: "u" });
    assert.equal(coffer.batchCalls.length, 2, "hits come from the cache");
  });

  it("resolve() rejects with one error listing every missing reference", async () => {
    const secrets = client({ sources: [new FakeBackend("coffer", { a: '{"x":"1"}' }, { batch: true })] });
    const error = await secrets
      .resolve({ A: "a#x", B: "missing", C: "a#nope", D: "vault://x" })
      .catch((e: unknown) => e);
    assert.ok(error instanceof UnresolvedReferencesError);
    assert.deepEqual(
      error.failures.map((failure) => failure.key),
      ["B", "C", "D"],
    );
    assert.deepEqual(
      error.missing.map((failure) => failure.key),
      ["B", "C"],
    );
    assert.match(error.message, /B → missing: not found/);
    assert.match(error.message, /C → a#nope: no field 'nope'/);
  });

  it("routes references by scheme: env://, dotenv://, file:// inside a files folder only", async () => {
    const dir = mkdtempSync(join(tmpdir(), "coffer-client-"));
    try {
      mkdirSync(join(dir, "run"));
      writeFileSync(join(dir, "run", "db"), "file-value\n");
      writeFileSync(join(dir, ".env"), "FROM_DOTENV=dotenv-value\n");
      const secrets = client({
        sources: [
          new FakeBackend("coffer", {}),
          { kind: "files", dir: join(dir, "run") },
          { kind: "dotenv", path: join(dir, ".env") },
        ],
      });
      assert.equal(await secrets.get(pathToFileURL(join(dir, "run", "db")).href), "file-value");
      assert.equal(await secrets.get("dotenv://FROM_DOTENV"), "dotenv-value");
      await assert.rejects(secrets.get(pathToFileURL(join(dir, ".env")).href), /outside the secrets folders/);
      const withEnv = createSecretsForTest({
        changeFeed: false,
        sources: ["coffer"].map(() => new FakeBackend("coffer")),
        config: parseConfig({ MY_VAR: "env-value" }),
      });
      assert.equal(await withEnv.get("env://MY_VAR"), "env-value");
      const envSource = client({ sources: ["env"] }, { PROD_DB: "from-env" });
      assert.equal(await envSource.get("prod/db"), "from-env");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names every source asked when nothing has the secret", async () => {
    const secrets = client({ sources: [new FakeBackend("env"), new FakeBackend("coffer")] });
    const error = await secrets.get("nope").catch((e: unknown) => e);
    assert.ok(error instanceof SecretNotFoundError);
    assert.deepEqual(error.sources, ["env", "coffer"]);
  });

  it("reports fetches (source, latency, hit/miss/stale, error) and stale values through onError", async () => {
    const events: FetchEvent[] = [];
    const errors: Array<[Error, ErrorContext]> = [];
    const value = canary();
    const fake = new FakeBackend("coffer", { a: value });
    let now = 0;
    const secrets = createSecretsForTest({
      changeFeed: false,
      sources: [fake],
      cache: { ttlMs: 100, maxStaleMs: 1000, refreshAheadMs: 0 },
      onFetch: (event) => events.push(event),
      onError: (error, context) => errors.push([error, context]),
      config: parseConfig({}),
      now: () => now,
    });
    await secrets.get("a");
    await secrets.get("a");
    fake.down = true;
    now = 150;
    assert.equal(await secrets.get("a"), value);
    now = 2000;
    await assert.rejects(secrets.get("a"), BackendUnavailableError);
    assert.deepEqual(
      events.map((event) => [event.cache, event.source, event.error?.name]),
      [
        ["miss", "coffer", undefined],
        ["hit", "coffer", undefined],
        ["stale", "coffer", "BackendUnavailableError"],
        ["miss", "coffer", "BackendUnavailableError"],
      ],
    );
    assert.ok(events.every((event) => event.latencyMs >= 0 && event.id === "a"));
    assert.equal(errors.length, 1);
    assert.deepEqual(errors[0]?.[1], { id: "a", source: "coffer", servedStale: true });
    assertNoCanary(JSON.stringify(events) + renderError(errors[0]?.[0]), value);
  });

  it("a throwing onFetch listener does not break reads", async () => {
    const secrets = client({
      sources: [new FakeBackend("coffer", { a: "1" })],
      onFetch: () => {
        throw new Error("listener bug");
      },
    });
    assert.equal(await secrets.get("a"), "1");
    assert.equal(await secrets.get("a"), "1");
  });

  it("with cache: false, every read goes to the backend", async () => {
    const fake = new FakeBackend("coffer", { a: "1" });
    const secrets = client({ sources: [fake], cache: false });
    await secrets.get("a");
    await secrets.get("a");
    assert.equal(fake.calls.length, 2);
  });

  it("close() closes the sources and refuses further reads", async () => {
    let closed = 0;
    const fake = new FakeBackend("coffer", { a: "1" });
    Object.assign(fake, {
      close: () => {
        closed += 1;
      },
    });
    const secrets = client({ sources: [fake] });
    await secrets.get("a");
    await secrets.close();
    await secrets.close();
    assert.equal(closed, 1);
    await assert.rejects(secrets.get("a"), /closed/);
  });

  it("refuses unknown source kinds and an empty source list", () => {
    assert.throws(() => client({ sources: ["vault" as never] }), /Unknown source kind "vault"/);
    assert.throws(() => client({ sources: [] }), CofferClientError);
  });

  it("rejects instead of throwing for bad references", async () => {
    const secrets = client({ sources: [new FakeBackend()] });
    const pending = secrets.get("vault://x");
    assert.ok(pending instanceof Promise);
    await assert.rejects(pending, CofferClientError);
  });
});
