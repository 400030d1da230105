import assert from "node:assert/strict";
import type { IncomingHttpHeaders } from "node:http";
import { after, before, describe, it } from "node:test";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SignatureV4 } from "@smithy/signature-v4";
import { SecretsManagerBackend } from "./backends/secrets-manager.js";
import { ChangeFeed, type SecretChangedEvent } from "./change-feed.js";
import { CHANGE_FEED_ID, createSecretsForTest } from "./client.js";
import { parseConfig } from "./config.js";
import { BackendUnavailableError } from "./errors.js";
import { startFakeCoffer } from "./testing/fake-coffer-server.js";
import { arnOf } from "./testing/fake-sdk.js";
import { eventually, sleep } from "./testing/wait.js";
import type { ErrorContext } from "./types.js";

const credentials = { accessKeyId: "AKIDCHANGEFEEDTEST01", secretAccessKey: "change-feed-test-secret" };

function sdkClient(url: string) {
  return new SecretsManagerClient({ region: "us-east-1", endpoint: url, credentials, maxAttempts: 1 });
}

/** Checks the request was SigV4-signed for secretsmanager, and that the signature itself is right. */
async function assertSignedRequest(headers: IncomingHttpHeaders, url: string) {
  const authorization = String(headers.authorization ?? "");
  const match =
    /^AWS4-HMAC-SHA256 Credential=AKIDCHANGEFEEDTEST01\/(\d{8})\/us-east-1\/secretsmanager\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  assert.ok(match, `Authorization: ${authorization}`);
  const signedHeaders = (match[2] ?? "").split(";");
  for (const name of ["host", "x-amz-date", "accept"])
    assert.ok(signedHeaders.includes(name), signedHeaders.join());
  const amzDate = String(headers["x-amz-date"]);
  assert.match(amzDate, /^\d{8}T\d{6}Z$/);
  // Re-sign what was received with the same clock: the signatures must agree.
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const signer = new SignatureV4({
    service: "secretsmanager",
    region: "us-east-1",
    credentials,
    sha256: sdkClient(url).config.sha256,
  });
  const target = new URL(url);
  const received: Record<string, string> = {};
  for (const name of signedHeaders)
    if (name !== "x-amz-date" && name !== "x-amz-content-sha256") received[name] = String(headers[name]);
  const again = await signer.sign(
    {
      method: "GET",
      protocol: "http:",
      hostname: target.hostname,
      port: Number(target.port),
      path: "/changes",
      query: {},
      headers: received,
    },
    { signingDate },
  );
  assert.equal(again.headers.authorization, authorization);
}

describe("ChangeFeed (against a local SSE server)", () => {
  let server: Awaited<ReturnType<typeof startFakeCoffer>>;
  before(async () => {
    server = await startFakeCoffer();
  });
  after(() => server.close());

  it("subscribes with a SigV4-signed GET /changes, delivers events, resumes with Last-Event-ID, and stops on close", async () => {
    const backend = new SecretsManagerBackend({ kind: "coffer", client: sdkClient(server.url) });
    const changes: SecretChangedEvent[] = [];
    let resets = 0;
    const errors: Error[] = [];
    const before = server.changeRequests.length;
    const feed = new ChangeFeed({
      target: () => backend.feedTarget(),
      onChange: (event) => changes.push(event),
      onReset: () => {
        resets += 1;
      },
      onError: (error) => errors.push(error),
      initialDelayMs: 20,
      maxDelayMs: 100,
    });
    feed.start();
    await eventually(() => server.openStreams() === 1);
    const first = server.changeRequests[before] ?? {};
    assert.equal(first.accept, "text/event-stream");
    assert.equal(first["last-event-id"], undefined);
    await assertSignedRequest(first, server.url);

    server.emit("secret-changed", server.changed("prod/db"), { id: 41 });
    server.emit("heartbeat-unknown", {});
    server.emit(
      "secret-changed",
      { ...server.changed("other"), Operation: "DeleteSecret", VersionId: undefined },
      { id: 42 },
    );
    await eventually(() => changes.length === 2);
    assert.equal(changes[0]?.Name, "prod/db");
    assert.equal(changes[0]?.ARN, arnOf("prod/db"));
    assert.equal(changes[1]?.Operation, "DeleteSecret");
    assert.equal(feed.lastEventId, "42");

    server.dropStreams();
    await eventually(() => server.openStreams() === 1 && server.changeRequests.length === before + 2);
    const resumed = server.changeRequests[before + 1] ?? {};
    assert.equal(resumed["last-event-id"], "42");
    await assertSignedRequest(resumed, server.url);
    assert.ok(
      errors.some((error) => error instanceof BackendUnavailableError),
      "the drop was reported",
    );

    server.emit("reset", {}, { id: 43 });
    await eventually(() => resets === 1);

    await feed.close();
    assert.equal(feed.state, "closed");
    await eventually(() => server.openStreams() === 0);
    const count = server.changeRequests.length;
    await sleep(150);
    assert.equal(server.changeRequests.length, count, "no reconnection after close()");
  });

  it("reconnects with backoff while the server is unreachable, and resets after reconnecting without an id", async () => {
    const unreachable = await startFakeCoffer();
    const url = unreachable.url;
    await unreachable.close();
    const errors: Error[] = [];
    const feed = new ChangeFeed({
      target: async () => ({
        url: new URL(url),
        region: "us-east-1",
        credentials: async () => credentials,
        sha256: sdkClient(url).config.sha256,
      }),
      onChange: () => {},
      onReset: () => {},
      onError: (error) => errors.push(error),
      initialDelayMs: 10,
      maxDelayMs: 40,
    });
    feed.start();
    await eventually(() => errors.length >= 3);
    assert.ok(errors.every((error) => error instanceof BackendUnavailableError));
    await feed.close();
    const count = errors.length;
    await sleep(100);
    assert.equal(errors.length, count);

    // Blind resume: connected, dropped before any event id, reconnected → everything may have changed.
    let resets = 0;
    const blind = new ChangeFeed({
      target: async () => ({
        url: new URL(server.url),
        region: "us-east-1",
        credentials: async () => credentials,
        sha256: sdkClient(url).config.sha256,
      }),
      onChange: () => {},
      onReset: () => {
        resets += 1;
      },
      onError: () => {},
      initialDelayMs: 10,
    });
    blind.start();
    await eventually(() => blind.state === "open");
    server.dropStreams();
    await eventually(() => resets === 1);
    await blind.close();
  });

  it("starts afresh, with a reset, when the server refuses to resume from our Last-Event-ID", async () => {
    const strict = await startFakeCoffer({ rejectResume: true });
    try {
      let resets = 0;
      const feed = new ChangeFeed({
        target: async () => ({
          url: new URL(strict.url),
          region: "us-east-1",
          credentials: async () => credentials,
          sha256: sdkClient(strict.url).config.sha256,
        }),
        onChange: () => {},
        onReset: () => {
          resets += 1;
        },
        onError: () => {},
        initialDelayMs: 10,
      });
      feed.start();
      await eventually(() => strict.openStreams() === 1);
      strict.emit("secret-changed", strict.changed("a"), { id: 7 });
      await eventually(() => feed.lastEventId === "7");
      strict.dropStreams();
      await eventually(() => strict.openStreams() === 1 && resets === 1);
      assert.equal(strict.changeRequests.at(-2)?.["last-event-id"], "7");
      assert.equal(strict.changeRequests.at(-1)?.["last-event-id"], undefined);
      await feed.close();
    } finally {
      await strict.close();
    }
  });

  it("reopens a stream that has gone silent (no pings)", async () => {
    const feed = new ChangeFeed({
      target: async () => ({
        url: new URL(server.url),
        region: "us-east-1",
        credentials: async () => credentials,
        sha256: sdkClient(server.url).config.sha256,
      }),
      onChange: () => {},
      onReset: () => {},
      onError: () => {},
      initialDelayMs: 10,
      idleTimeoutMs: 100,
    });
    const before = server.count("changes");
    feed.start();
    await eventually(() => server.count("changes") >= before + 3, 3_000);
    await feed.close();
  });

  it("gives up (TTL only) when the server has no /changes: 400 UnknownOperationException", async () => {
    const old = await startFakeCoffer({ changes: "unknown-operation" });
    try {
      const errors: Error[] = [];
      const feed = new ChangeFeed({
        target: async () => ({
          url: new URL(old.url),
          region: "us-east-1",
          credentials: async () => credentials,
          sha256: sdkClient(old.url).config.sha256,
        }),
        onChange: () => {},
        onReset: () => {},
        onError: (error) => errors.push(error),
        initialDelayMs: 10,
      });
      feed.start();
      await eventually(() => feed.state === "unsupported");
      await sleep(100);
      assert.equal(old.count("changes"), 1);
      assert.equal(errors.length, 1);
      assert.match(errors[0]?.message ?? "", /does not offer GET \/changes/);
    } finally {
      await old.close();
    }
  });
});

describe("change feed in the client (coffer source)", () => {
  it("sees a new AWSCURRENT within a second, by name and by ARN, refetching in the background", async () => {
    const server = await startFakeCoffer();
    const errors: Array<[Error, ErrorContext]> = [];
    const secrets = createSecretsForTest({
      sources: [{ kind: "coffer", client: sdkClient(server.url) }],
      cache: { ttlMs: 600_000 },
      onError: (error, context) => errors.push([error, context]),
      config: parseConfig({}),
      feedDelayMs: { initial: 20, max: 100 },
    });
    try {
      server.put("prod/db", '{"password":"one"}');
      assert.equal(await secrets.get("prod/db#password"), "one");
      assert.equal(await secrets.get(arnOf("prod/db")), '{"password":"one"}');
      await eventually(() => server.openStreams() === 1);

      const gets = server.count("GetSecretValue");
      server.put("prod/db", '{"password":"two"}');
      const sent = Date.now();
      server.emit("secret-changed", server.changed("prod/db"));
      await eventually(() => server.count("GetSecretValue") === gets + 2, 1000);
      assert.equal(await secrets.get("prod/db#password"), "two");
      assert.equal(await secrets.get(arnOf("prod/db")), '{"password":"two"}');
      assert.ok(Date.now() - sent < 1000);
      assert.equal(
        server.count("GetSecretValue"),
        gets + 2,
        "the refetch happened in the background; reads were hits",
      );

      server.put("prod/db", '{"password":"three"}');
      server.emit("reset", {});
      await eventually(async () => (await secrets.get("prod/db#password")) === "three", 1000);
      assert.deepEqual(errors, []);
    } finally {
      await secrets.close();
      await eventually(() => server.openStreams() === 0);
      await server.close();
    }
  });

  it("does not subscribe with changeFeed: false, for aws sources, or before the first backend request", async () => {
    const server = await startFakeCoffer();
    try {
      server.put("a", "1");
      const lazy = createSecretsForTest({
        sources: [{ kind: "coffer", client: sdkClient(server.url) }],
        config: parseConfig({}),
      });
      await sleep(50);
      assert.equal(server.count("changes"), 0, "creating a client does no I/O");
      await lazy.close();
      for (const sources of [
        [{ kind: "coffer" as const, client: sdkClient(server.url), changeFeed: false }],
        [{ kind: "aws" as const, client: sdkClient(server.url) }],
      ]) {
        const secrets = createSecretsForTest({ sources, config: parseConfig({}) });
        assert.equal(await secrets.get("a"), "1");
        await sleep(50);
        await secrets.close();
      }
      const off = createSecretsForTest({
        sources: [{ kind: "coffer", client: sdkClient(server.url) }],
        changeFeed: false,
        config: parseConfig({}),
      });
      assert.equal(await off.get("a"), "1");
      await sleep(50);
      await off.close();
      assert.equal(server.count("changes"), 0);
    } finally {
      await server.close();
    }
  });

  it("reports a server without the feed once through onError, and keeps serving", async () => {
    const server = await startFakeCoffer({ changes: "unknown-operation" });
    const errors: Array<[Error, ErrorContext]> = [];
    const secrets = createSecretsForTest({
      sources: [{ kind: "coffer", client: sdkClient(server.url) }],
      onError: (error, context) => errors.push([error, context]),
      config: parseConfig({}),
    });
    try {
      server.put("a", "1");
      assert.equal(await secrets.get("a"), "1");
      await eventually(() => errors.length === 1);
      assert.equal(errors[0]?.[1].id, CHANGE_FEED_ID);
      assert.equal(await secrets.get("a"), "1");
    } finally {
      await secrets.close();
      await server.close();
    }
  });
});
