import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { after, before, describe, test } from "node:test";
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import {
  openChangeStream,
  type SseFrame,
  type StreamOptions,
} from "../http/change-feed/sse-reader.test.helper.js";
import {
  type ServerProcess,
  startServerProcess,
  testAccountId,
  testAdmin,
  testRegion,
} from "../testing/server-process.js";

/** `GET /changes` against a real server process, written to with the JS SDK. */

let server: ServerProcess;
let client: SecretsManagerClient;
const canary = `CANARY-${randomUUID()}`;

function streamOptions(overrides: Partial<StreamOptions> = {}): StreamOptions {
  return {
    baseUrl: server.url,
    region: testRegion,
    accessKeyId: testAdmin.accessKeyId,
    secretAccessKey: testAdmin.secretAccessKey,
    ...overrides,
  };
}

interface WireEvent {
  ARN: string;
  Name: string;
  Region: string;
  VersionId?: string;
  Operation: string;
  EventTime: number;
}

function parse(frame: SseFrame): WireEvent {
  assert.equal(frame.event, "secret-changed");
  assert.match(frame.id ?? "", /^\d+$/);
  return JSON.parse(frame.data) as WireEvent;
}

before(async () => {
  server = await startServerProcess();
  client = new SecretsManagerClient({
    endpoint: server.url,
    region: testRegion,
    credentials: testAdmin,
    maxAttempts: 1,
  });
});
after(async () => {
  client.destroy();
  await server.stop();
  server.cleanup();
});

describe("GET /changes", () => {
  test("every write arrives within 1 s with the right fields and never a value; other regions see nothing", async () => {
    const east = await openChangeStream(streamOptions());
    const west = await openChangeStream(streamOptions({ region: "eu-west-1" }));
    assert.equal(east.response.statusCode, 200);
    assert.equal(east.response.headers["content-type"], "text/event-stream");
    assert.equal(east.response.headers["cache-control"], "no-store");
    assert.ok(east.response.headers["x-amzn-requestid"]);
    assert.equal(west.response.statusCode, 200);

    const expectEvent = async (operation: string, versionId: string | undefined, name = "feed/db") => {
      const started = Date.now();
      const event = parse(await east.reader.next(1000));
      assert.ok(Date.now() - started < 1000);
      assert.equal(event.Operation, operation);
      assert.equal(event.Name, name);
      assert.equal(event.Region, testRegion);
      assert.match(
        event.ARN,
        new RegExp(`^arn:aws:secretsmanager:${testRegion}:${testAccountId}:secret:${name}-[A-Za-z0-9]{6}$`),
      );
      assert.equal(event.VersionId, versionId);
      assert.ok(Math.abs(event.EventTime - Date.now() / 1000) < 5, "EventTime is epoch seconds");
      assert.deepEqual(Object.keys(event), [
        "ARN",
        "Name",
        "Region",
        ...(versionId ? ["VersionId"] : []),
        "Operation",
        "EventTime",
      ]);
      return event;
    };

    const created = await client.send(new CreateSecretCommand({ Name: "feed/db", SecretString: canary }));
    const first = await expectEvent("CreateSecret", created.VersionId);
    assert.equal(first.ARN, created.ARN);
    const put = await client.send(
      new PutSecretValueCommand({ SecretId: "feed/db", SecretString: `${canary}-2` }),
    );
    await expectEvent("PutSecretValue", put.VersionId);
    const pending = await client.send(
      new PutSecretValueCommand({
        SecretId: "feed/db",
        SecretBinary: Buffer.from(`${canary}-binary`),
        VersionStages: ["AWSPENDING"],
      }),
    );
    await expectEvent("PutSecretValue", put.VersionId);
    await client.send(new UpdateSecretCommand({ SecretId: "feed/db", Description: "db" }));
    await expectEvent("UpdateSecret", put.VersionId);
    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: "feed/db",
        VersionStage: "AWSCURRENT",
        MoveToVersionId: pending.VersionId,
        RemoveFromVersionId: put.VersionId,
      }),
    );
    await expectEvent("UpdateSecretVersionStage", pending.VersionId);
    await client.send(new TagResourceCommand({ SecretId: "feed/db", Tags: [{ Key: "k", Value: "v" }] }));
    await expectEvent("TagResource", pending.VersionId);
    await client.send(new UntagResourceCommand({ SecretId: "feed/db", TagKeys: ["k"] }));
    await expectEvent("UntagResource", pending.VersionId);
    await client.send(new DeleteSecretCommand({ SecretId: "feed/db", RecoveryWindowInDays: 7 }));
    await expectEvent("DeleteSecret", undefined);
    await client.send(new RestoreSecretCommand({ SecretId: "feed/db" }));
    await expectEvent("RestoreSecret", pending.VersionId);
    await client.send(new DeleteSecretCommand({ SecretId: "feed/db", ForceDeleteWithoutRecovery: true }));
    await expectEvent("DeleteSecret", undefined);

    assert.deepEqual(await west.reader.drain(300), [], "eu-west-1 sees no us-east-1 events");
    for (const stream of [east, west]) {
      assert.ok(!stream.reader.raw.includes("CANARY"), "no secret value on the stream");
      assert.ok(!stream.reader.raw.includes(Buffer.from(`${canary}-binary`).toString("base64")));
    }
    // The other region's own writes do reach it.
    const westClient = new SecretsManagerClient({
      endpoint: server.url,
      region: "eu-west-1",
      credentials: testAdmin,
      maxAttempts: 1,
    });
    await westClient.send(new CreateSecretCommand({ Name: "feed/west", SecretString: canary }));
    westClient.destroy();
    assert.equal(parse(await west.reader.next(1000)).Region, "eu-west-1");
    assert.deepEqual(await east.reader.drain(200), []);
    east.close();
    west.close();
  });

  test("resume with Last-Event-ID (or ?since=) replays the events missed while away", async () => {
    const first = await openChangeStream(streamOptions());
    await client.send(new CreateSecretCommand({ Name: "feed/resume", SecretString: canary }));
    const seen = await first.reader.next(1000);
    first.close();

    const missed: string[] = [];
    for (let i = 0; i < 3; i++) {
      const put = await client.send(
        new PutSecretValueCommand({ SecretId: "feed/resume", SecretString: `${canary}-${i}` }),
      );
      missed.push(put.VersionId ?? "");
    }

    const resumed = await openChangeStream(streamOptions({ lastEventId: seen.id ?? "" }));
    const replayed = [];
    for (let i = 0; i < 3; i++) replayed.push(await resumed.reader.next(1000));
    assert.deepEqual(
      replayed.map((f) => parse(f).VersionId),
      missed,
    );
    assert.deepEqual(
      replayed.map((f) => Number(f.id)),
      [1, 2, 3].map((i) => Number(seen.id) + i),
    );
    // And live events follow the replay on the same stream.
    await client.send(new TagResourceCommand({ SecretId: "feed/resume", Tags: [{ Key: "a", Value: "b" }] }));
    assert.equal(parse(await resumed.reader.next(1000)).Operation, "TagResource");
    resumed.close();

    const bySince = await openChangeStream(streamOptions({ since: replayed[1]?.id ?? "" }));
    assert.deepEqual(
      [await bySince.reader.next(1000), await bySince.reader.next(1000)].map((f) => f.id),
      [replayed[2]?.id, String(Number(replayed[2]?.id) + 1)],
    );
    bySince.close();

    // An id from before this server started (e.g. an earlier run): reset.
    const stale = await openChangeStream(streamOptions({ lastEventId: "1" }));
    const reset = await stale.reader.next(1000);
    assert.equal(reset.event, "reset");
    assert.equal(reset.data, "{}");
    stale.close();
  });

  test("before the stream: unsigned 403 MissingAuthenticationTokenException, bad key, bad signature", async () => {
    const unsigned = await openChangeStream(streamOptions({ unsigned: true }));
    await unsigned.reader.closed;
    assert.equal(unsigned.response.statusCode, 403);
    assert.equal(unsigned.response.headers["content-type"], "application/x-amz-json-1.1");
    assert.equal(JSON.parse(unsigned.reader.raw).__type, "MissingAuthenticationTokenException");

    const unknownKey = await openChangeStream(streamOptions({ accessKeyId: "AKIAUNKNOWN000000000" }));
    await unknownKey.reader.closed;
    assert.equal(unknownKey.response.statusCode, 403);
    assert.equal(JSON.parse(unknownKey.reader.raw).__type, "UnrecognizedClientException");

    const wrongSecret = await openChangeStream(streamOptions({ secretAccessKey: "not-the-secret-key-0000" }));
    await wrongSecret.reader.closed;
    assert.equal(wrongSecret.response.statusCode, 403);
    assert.equal(JSON.parse(wrongSecret.reader.raw).__type, "InvalidSignatureException");

    const badSince = await openChangeStream(streamOptions({ since: "yesterday" }));
    await badSince.reader.closed;
    assert.equal(badSince.response.statusCode, 400);
    assert.equal(JSON.parse(badSince.reader.raw).__type, "ValidationException");
  });

  test("POST /changes is not the feed: UnknownOperationException", async () => {
    const answer = await new Promise<{ status: number | undefined; body: string }>((resolve, reject) => {
      const url = new URL(server.url);
      const req = httpRequest(
        { host: url.hostname, port: url.port, method: "POST", path: "/changes" },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            body += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode, body }));
        },
      );
      req.on("error", reject);
      req.end();
    });
    assert.equal(answer.status, 400);
    assert.equal(JSON.parse(answer.body).__type, "UnknownOperationException");
  });
});

test("the server stops promptly with a subscriber connected", async () => {
  const own = await startServerProcess();
  try {
    const stream = await openChangeStream({
      baseUrl: own.url,
      region: testRegion,
      accessKeyId: testAdmin.accessKeyId,
      secretAccessKey: testAdmin.secretAccessKey,
    });
    assert.equal(stream.response.statusCode, 200);
    const started = Date.now();
    const code = await Promise.race([
      own.stop(),
      new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 5000).unref()),
    ]);
    const took = Date.now() - started;
    if (code === "hung") await own.kill();
    assert.equal(code, 0, `stop did not finish within 5 s`);
    assert.ok(took < 3000, `stop took ${took} ms`);
    await stream.reader.closed;
  } finally {
    own.cleanup();
  }
});
