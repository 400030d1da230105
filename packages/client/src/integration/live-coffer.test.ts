import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startServerProcess } from "@coffer/server/testing";
import { z } from "zod";
import {
  AccessDeniedError,
  BackendUnavailableError,
  createSecrets,
  type ErrorContext,
  type FetchEvent,
  SecretNotFoundError,
  SecretValidationError,
  UnresolvedReferencesError,
} from "../index.js";
import { assertNoCanary, canary, rejectsWithoutLeak, renderError } from "../testing/canary.js";
import { startCountingProxy } from "../testing/http-servers.js";
import { createSecret, putSecretValue, runModule, sdkFor, startLiveCoffer } from "../testing/live.js";
import { sleep } from "../testing/wait.js";

describe("against a live Coffer server", () => {
  let server: Awaited<ReturnType<typeof startLiveCoffer>>;
  let proxy: Awaited<ReturnType<typeof startCountingProxy>>;
  const apiKey = canary("apiKey");
  const password = canary("password");

  before(async () => {
    server = await startLiveCoffer();
    proxy = await startCountingProxy(server.url);
    await createSecret(server.admin, "alpha-vantage", JSON.stringify({ apiKey }));
    await createSecret(server.admin, "prod/db", JSON.stringify({ user: "app", password, port: 5432 }));
    await createSecret(server.admin, "blob", new Uint8Array([0, 1, 254, 255]));
  });
  after(async () => {
    await proxy?.close();
    await server?.stop();
    server?.cleanup();
  });

  const client = (options: Parameters<typeof createSecrets>[0] = {}) =>
    createSecrets({
      sources: [{ kind: "coffer", client: sdkFor(server, proxy.url) }],
      changeFeed: false,
      ...options,
    });

  it("reads JSON, fields, binary and records through the SDK", async () => {
    const secrets = client();
    try {
      const { apiKey: read } = await secrets.getJson<{ apiKey: string }>("alpha-vantage");
      assert.equal(read, apiKey);
      assert.equal(await secrets.get("prod/db#password"), password);
      assert.equal(await secrets.get("coffer://prod/db#port"), "5432");
      const db = await secrets.getJson("prod/db", {
        schema: z.object({ user: z.string(), port: z.number() }),
      });
      assert.equal(db.port, 5432);
      assert.deepEqual(await secrets.getBinary("blob"), new Uint8Array([0, 1, 254, 255]));
      const record = await secrets.getRecord("prod/db");
      assert.equal(record.source, "coffer");
      assert.equal(record.name, "prod/db");
      assert.match(record.arn ?? "", /^arn:aws:secretsmanager:us-east-1:123456789012:secret:prod\/db-/);
      assert.deepEqual(record.versionStages, ["AWSCURRENT"]);
      assert.equal(
        await secrets.get(record.arn ?? ""),
        JSON.stringify({ user: "app", password, port: 5432 }),
      );
      await assert.rejects(secrets.get("nope"), SecretNotFoundError);
      const invalid = await rejectsWithoutLeak(
        () => secrets.getJson("prod/db", { schema: z.object({ password: z.number() }) }),
        password,
      );
      assert.ok(invalid instanceof SecretValidationError);
    } finally {
      await secrets.close();
    }
  });

  it("makes one request at the server for 50 concurrent cold reads (counted by a proxy)", async () => {
    const secrets = client();
    try {
      proxy.reset();
      const values = await Promise.all(
        Array.from({ length: 50 }, (_, i) => secrets.get(i % 2 ? "prod/db#password" : "prod/db")),
      );
      assert.equal(values[1], password);
      assert.equal(proxy.count("GetSecretValue"), 1);
      await secrets.get("prod/db#user");
      assert.equal(proxy.count("GetSecretValue"), 1, "later reads are hits");
      await secrets.get("prod/db", { forceFetch: true });
      assert.equal(proxy.count("GetSecretValue"), 2);
    } finally {
      await secrets.close();
    }
  });

  it("resolve() uses one BatchGetSecretValue and lists every missing reference", async () => {
    const secrets = client();
    try {
      proxy.reset();
      const env = await secrets.resolve({
        KEY: "alpha-vantage#apiKey",
        DB_PASSWORD: "prod/db#password",
        DB_USER: "prod/db#user",
      });
      assert.deepEqual(env, { KEY: apiKey, DB_PASSWORD: password, DB_USER: "app" });
      assert.equal(proxy.count("BatchGetSecretValue"), 1);
      assert.equal(proxy.count("GetSecretValue"), 0);
      const error = await rejectsWithoutLeak(
        () =>
          secrets.resolve({
            A: "alpha-vantage#apiKey",
            B: "missing/one",
            C: "prod/db#nofield",
            D: "missing/two",
          }),
        apiKey,
        password,
      );
      assert.ok(error instanceof UnresolvedReferencesError);
      assert.deepEqual(
        error.missing.map((failure) => failure.key),
        ["B", "C", "D"],
      );
    } finally {
      await secrets.close();
    }
  });

  it("reads older versions by stage and id", async () => {
    await createSecret(server.admin, "rotating", "first");
    const second = await putSecretValue(server.admin, "rotating", "second");
    const secrets = client();
    try {
      assert.equal(await secrets.get("rotating"), "second");
      assert.equal(await secrets.get("rotating", { versionStage: "AWSPREVIOUS" }), "first");
      assert.equal(await secrets.get("rotating", { versionId: second.VersionId ?? "" }), "second");
    } finally {
      await secrets.close();
    }
  });

  it("reports wrong credentials as AccessDeniedError", async () => {
    const secrets = createSecrets({
      sources: [
        {
          kind: "coffer",
          client: sdkFor(server, server.url, { secretAccessKey: "wrong-secret-key-000000000000000000000" }),
        },
      ],
      changeFeed: false,
    });
    try {
      await assert.rejects(secrets.get("prod/db"), AccessDeniedError);
    } finally {
      await secrets.close();
    }
  });

  it("observes every fetch without ever carrying a value", async () => {
    const events: FetchEvent[] = [];
    const secrets = client({ onFetch: (event) => events.push(event) });
    try {
      await secrets.get("prod/db#password");
      await secrets.get("prod/db#password");
      await secrets.get("nope").catch(() => {});
      assert.deepEqual(
        events.map((event) => event.cache),
        ["miss", "hit", "miss"],
      );
      assert.ok((events[0]?.latencyMs ?? 0) > 0);
      assert.equal(events[0]?.source, "coffer");
      assert.ok(events[2]?.error instanceof SecretNotFoundError);
      assertNoCanary(
        events.map((event) => renderError(event.error) + JSON.stringify(event)).join("\n"),
        password,
        apiKey,
      );
    } finally {
      await secrets.close();
    }
  });

  it("the two-line usage works from the environment alone, and the process exits by itself", async () => {
    const result = await runModule(
      `import { secrets } from "@coffer/client";
       const { apiKey } = await secrets.getJson("alpha-vantage");
       console.log(apiKey === ${JSON.stringify(apiKey)} ? "match" : "mismatch");`,
      server.clientEnv,
    );
    assert.equal(result.timedOut, false, "the process must not be kept alive (change feed, sockets, timers)");
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), "match");
    assertNoCanary(result.stderr, apiKey);
  });
});

describe("against a live Coffer server that goes away", () => {
  it("serves the last good value within maxStale after the server stops, reports it, then fails", async () => {
    const server = await startLiveCoffer();
    const value = canary();
    const errors: Array<[Error, ErrorContext]> = [];
    const events: FetchEvent[] = [];
    try {
      await createSecret(server.admin, "svc/token", JSON.stringify({ token: value }));
      const secrets = createSecrets({
        sources: [{ kind: "coffer", client: sdkFor(server, server.url) }],
        changeFeed: false,
        cache: { ttlMs: 200, maxStaleMs: 1500, refreshAheadMs: 0 },
        onError: (error, context) => errors.push([error, context]),
        onFetch: (event) => events.push(event),
      });
      assert.equal(await secrets.get("svc/token#token"), value);
      await server.stop();
      await sleep(300); // past the TTL
      assert.equal(await secrets.get("svc/token#token"), value, "stale value within maxStale");
      assert.equal(errors.length, 1);
      assert.ok(errors[0]?.[0] instanceof BackendUnavailableError);
      assert.deepEqual(errors[0]?.[1], { id: "svc/token", source: "coffer", servedStale: true });
      assert.equal(events.at(-1)?.cache, "stale");
      await sleep(1500); // past TTL + maxStale
      const failure = await rejectsWithoutLeak(() => secrets.get("svc/token#token"), value);
      assert.ok(failure instanceof BackendUnavailableError);
      assertNoCanary(errors.map(([error]) => renderError(error)).join("\n"), value);
      await secrets.close();
    } finally {
      await server.kill().catch(() => {});
      server.cleanup();
    }
  });

  it("starts from the encrypted file cache while the server is down", async () => {
    const server = await startLiveCoffer();
    const dir = mkdtempSync(join(tmpdir(), "coffer-live-filecache-"));
    const value = canary();
    const fileCache = {
      path: join(dir, "secrets.cache"),
      key: randomBytes(32).toString("base64"),
      maxAgeMs: 60_000,
    };
    try {
      await createSecret(server.admin, "app/config", JSON.stringify({ dsn: value }));
      const warm = createSecrets({
        sources: [{ kind: "coffer", client: sdkFor(server, server.url) }],
        changeFeed: false,
        fileCache,
      });
      assert.equal(await warm.get("app/config#dsn"), value);
      await warm.close();
      await server.stop();

      const errors: Array<[Error, ErrorContext]> = [];
      const cold = createSecrets({
        sources: [{ kind: "coffer", client: sdkFor(server, server.url) }],
        changeFeed: false,
        fileCache,
        onError: (error, context) => errors.push([error, context]),
      });
      assert.equal(await cold.get("app/config#dsn"), value);
      assert.equal(errors[0]?.[1].servedStale, true);
      await assert.rejects(cold.get("app/other"), BackendUnavailableError);
      await cold.close();

      const wrongKey = createSecrets({
        sources: [{ kind: "coffer", client: sdkFor(server, server.url) }],
        changeFeed: false,
        fileCache: { ...fileCache, key: randomBytes(32) },
      });
      await assert.rejects(wrongKey.get("app/config#dsn"), BackendUnavailableError);
      await wrongKey.close();
    } finally {
      await server.kill().catch(() => {});
      server.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("recovers as soon as the server is back (restarted on the same port and data)", async () => {
    const server = await startLiveCoffer();
    let restarted: Awaited<ReturnType<typeof startServerProcess>> | undefined;
    try {
      await createSecret(server.admin, "x", "1");
      const secrets = createSecrets({
        sources: [{ kind: "coffer", client: sdkFor(server, server.url) }],
        changeFeed: false,
        cache: { ttlMs: 50, maxStaleMs: 0 },
      });
      assert.equal(await secrets.get("x"), "1");
      await server.stop();
      await sleep(60);
      await assert.rejects(secrets.get("x"), BackendUnavailableError);
      restarted = await startServerProcess({ home: server.home, env: { COFFER_PORT: String(server.port) } });
      assert.equal(await secrets.get("x"), "1");
      await secrets.close();
    } finally {
      await restarted?.stop();
      server.cleanup();
    }
  });
});
