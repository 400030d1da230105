import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { afterEach, test } from "node:test";
import { ChangeEventBus, type ChangeNotice } from "../../domain/secrets/change-events.js";
import type { Logger } from "../../log/logger.js";
import { toWireError } from "../../pipeline/wire-error.js";
import type { CanReadChange } from "./can-read.js";
import { type ChangeFeed, type ChangeFeedOptions, createChangeFeed } from "./change-feed.js";
import { SseReader } from "./sse-reader.test.helper.js";

/**
 * The stream mechanics in process, without SigV4 (the integration test covers that): the caller's
 * region comes from a test header.
 */

const warnings: string[] = [];
const logger: Logger = {
  enabled: () => true,
  debug: () => {},
  info: () => {},
  warn: (message) => warnings.push(message),
  error: (message) => warnings.push(message),
};

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function feedServer(
  options: Partial<ChangeFeedOptions> = {},
  beforeOpen?: (req: IncomingMessage) => Promise<void>,
) {
  const bus = new ChangeEventBus({ capacity: 5 });
  const feed: ChangeFeed = createChangeFeed({ bus, canRead: () => true, logger, ...options });
  const server = createServer(async (req, res) => {
    await beforeOpen?.(req);
    const requestId = randomUUID();
    try {
      feed.admit(req).open(res, {
        caller: {
          accessKeyId: "AKIATEST",
          principal: "test",
          region: String(req.headers["x-test-region"] ?? "us-east-1"),
        },
        requestId,
      });
    } catch (error) {
      const wire = toWireError(error, requestId);
      res.writeHead(wire.status, { "content-type": "application/x-amz-json-1.1" }).end(wire.body);
    }
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const open = (headers: Record<string, string> = {}, path = "/changes") =>
    new Promise<{ response: IncomingMessage; reader: SseReader; close: () => void }>((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port, path, headers }, (response) =>
        resolve({ response, reader: new SseReader(response), close: () => req.destroy() }),
      );
      req.on("error", reject);
      req.end();
    });
  return { bus, feed, server, port, open };
}

function notice(name: string, region = "us-east-1"): ChangeNotice {
  return {
    arn: `arn:aws:secretsmanager:${region}:123456789012:secret:${name}-AbCdEf`,
    name,
    region,
    versionId: "v-1",
    operation: "PutSecretValue",
    eventTime: 1_790_000_000_123,
  };
}

async function until(condition: () => boolean, timeoutMs = 2000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test("200 event stream headers, frames as in the contract, and pings", async () => {
  const { bus, open } = await feedServer({ pingIntervalMs: 40 });
  const { response, reader, close } = await open();
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers["content-type"], "text/event-stream");
  assert.equal(response.headers["cache-control"], "no-store");
  assert.equal(response.headers.connection, "keep-alive");
  assert.match(String(response.headers["x-amzn-requestid"]), /^[0-9a-f-]{36}$/);
  bus.publish(notice("prod/db"));
  const frame = await reader.next();
  assert.equal(frame.id, "1");
  assert.equal(frame.event, "secret-changed");
  assert.equal(
    frame.data,
    '{"ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf","Name":"prod/db","Region":"us-east-1","VersionId":"v-1","Operation":"PutSecretValue","EventTime":1790000000.123}',
  );
  await until(() => reader.comments.filter((c) => c === "ping").length >= 2);
  assert.match(reader.raw, /\n\n: ping\n\n/);
  close();
});

test("only the caller's region, and only what canRead allows, live and replayed", async () => {
  const canRead: CanReadChange = (caller, event) => {
    assert.equal(caller.accessKeyId, "AKIATEST");
    if (event.name === "throws") throw new Error("hook failure");
    return !event.name.startsWith("hidden/");
  };
  const { bus, open } = await feedServer({ canRead });
  bus.publish(notice("replayed"));
  bus.publish(notice("hidden/replayed"));
  const east = await open({ "last-event-id": "0" });
  const west = await open({ "x-test-region": "eu-west-1" });
  for (const name of ["hidden/x", "throws", "visible"]) bus.publish(notice(name));
  bus.publish(notice("west-only", "eu-west-1"));
  assert.deepEqual(
    (await east.reader.drain()).map((f) => [f.id, JSON.parse(f.data).Name]),
    [
      ["1", "replayed"],
      ["5", "visible"],
    ],
  );
  assert.deepEqual(
    (await west.reader.drain(50)).map((f) => JSON.parse(f.data).Name),
    ["west-only"],
  );
  assert.ok(warnings.includes("change feed authorization failed"));
  east.close();
  west.close();
});

test("resume with Last-Event-ID or since; too old an id answers reset with the newest id", async () => {
  const { bus, open } = await feedServer();
  for (let i = 1; i <= 8; i++) bus.publish(notice(`s${i}`));
  // Capacity 5: events 4..8 are kept.
  const fromHeader = await open({ "last-event-id": "6" });
  assert.deepEqual(
    (await fromHeader.reader.drain(100)).map((f) => f.id),
    ["7", "8"],
  );
  const fromQuery = await open({}, "/changes?since=3");
  assert.deepEqual(
    (await fromQuery.reader.drain(100)).map((f) => f.id),
    ["4", "5", "6", "7", "8"],
  );
  // Last-Event-ID wins over since.
  const both = await open({ "last-event-id": "7" }, "/changes?since=3");
  assert.deepEqual(
    (await both.reader.drain(100)).map((f) => f.id),
    ["8"],
  );
  const tooOld = await open({ "last-event-id": "2" });
  const reset = await tooOld.reader.next();
  assert.deepEqual(reset, { id: "8", event: "reset", data: "{}" });
  bus.publish(notice("after-reset"));
  assert.equal((await tooOld.reader.next()).id, "9");
  for (const stream of [fromHeader, fromQuery, both, tooOld]) stream.close();
});

test("a malformed resume point is a ValidationException before any stream", async () => {
  const { open, feed } = await feedServer();
  for (const [headers, path] of [
    [{ "last-event-id": "abc" }, "/changes"],
    [{}, "/changes?since=-1"],
    [{}, "/changes?since=99999999999999999"],
  ] as const) {
    const { response, reader } = await open(headers, path);
    await reader.closed;
    assert.equal(response.statusCode, 400);
    assert.equal(JSON.parse(reader.raw).__type, "ValidationException");
  }
  assert.equal(feed.subscriberCount, 0);
});

test("beyond maxSubscribers: 429 ThrottlingException; a slot frees when a client leaves", async () => {
  const { open, feed, bus } = await feedServer({ maxSubscribers: 2 });
  const first = await open();
  const second = await open();
  const third = await open();
  await third.reader.closed;
  assert.equal(third.response.statusCode, 429);
  assert.equal(JSON.parse(third.reader.raw).__type, "ThrottlingException");
  first.close();
  await until(() => feed.subscriberCount === 1 && bus.subscriberCount === 1);
  const fourth = await open();
  assert.equal(fourth.response.statusCode, 200);
  second.close();
  fourth.close();
  await until(() => feed.subscriberCount === 0 && bus.subscriberCount === 0);
});

test("a subscriber that stops reading is dropped once its backlog passes the limit", async () => {
  const { bus, feed, port } = await feedServer({ maxBacklogBytes: 64 * 1024 });
  const socket = connect(port, "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.write("GET /changes HTTP/1.1\r\nhost: x\r\n\r\n");
  await until(() => feed.subscriberCount === 1);
  socket.pause();
  const longName = `slow/${"n".repeat(400)}`;
  // Loopback socket buffers take a few MB before the server side queues anything.
  for (let i = 0; i < 40_000 && feed.subscriberCount > 0; i++) bus.publish(notice(longName));
  await until(() => feed.subscriberCount === 0 && bus.subscriberCount === 0);
  assert.ok(warnings.includes("change feed subscriber dropped: it stopped reading"));
  socket.destroy();
});

test("close() ends open streams, so the HTTP server closes at once", async () => {
  const { feed, server, open } = await feedServer({ pingIntervalMs: 60_000 });
  const streams = [await open(), await open()];
  assert.equal(feed.subscriberCount, 2);
  const started = Date.now();
  feed.close();
  await new Promise((resolve) => {
    server.close(resolve);
    server.closeIdleConnections();
  });
  await Promise.all(streams.map((s) => s.reader.closed));
  assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
  assert.equal(feed.subscriberCount, 0);
});

test("a client that left during authentication is not subscribed", async () => {
  let opened = () => {};
  const attempted = new Promise<void>((resolve) => {
    opened = resolve;
  });
  const { feed, bus, port } = await feedServer({}, async (req) => {
    // Stands in for a slow credential lookup: the client is gone by the time the feed opens.
    await until(() => req.socket.destroyed);
    setImmediate(opened);
  });
  const socket = connect(port, "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.write("GET /changes HTTP/1.1\r\nhost: x\r\n\r\n");
  await new Promise((resolve) => setTimeout(resolve, 50));
  socket.destroy();
  await attempted;
  assert.equal(feed.subscriberCount, 0);
  assert.equal(bus.subscriberCount, 0);
});
