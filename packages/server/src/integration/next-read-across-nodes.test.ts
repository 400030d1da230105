import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { openLocalAuditApi } from "../app/audit-trail.js";
import { openChangeStream, type SseFrame } from "../http/change-feed/sse-reader.test.helper.js";
import { createTestDatabase, type TestDatabase } from "../storage/postgres/test-database.test-helper.js";
import { adminCall, createUserWithPolicy } from "../testing/admin-call.js";
import { requirePostgres } from "../testing/postgres.js";
import { type ServerProcess, startServerProcess, testAdmin, testRegion } from "../testing/server-process.js";

/**
 * Two real server processes on one PostgreSQL database: what one node acknowledges, the other
 * answers on its very next request — a value it had cached, a key disabled, a change-feed event —
 * with no retry and no wait in between (issue 11, "a write on one node is visible on every other
 * node's next read"). The notice usually beats the client's next request here on loopback; the race
 * the catch-up closes (a notice slower than the client) is proved at the store's level, in
 * storage/postgres/change-feed.test.ts, which fails without it.
 */

const { skip } = requirePostgres();

let database: TestDatabase;
const nodes: ServerProcess[] = [];
const clients: SecretsManagerClient[] = [];

const sdk = (server: ServerProcess, credentials = testAdmin) =>
  new SecretsManagerClient({ endpoint: server.url, region: testRegion, credentials, maxAttempts: 1 });

describe("the next read on another node", { skip }, () => {
  before(async () => {
    database = await createTestDatabase();
    const env = {
      COFFER_STORE: database.url,
      COFFER_MASTER_KEY: randomBytes(32).toString("base64"),
    };
    // One after the other: the first creates the schema and the admin user, the second finds them.
    for (let i = 0; i < 2; i++) nodes.push(await startServerProcess({ env }));
    for (const node of nodes) clients.push(sdk(node));
  });
  after(async () => {
    for (const client of clients) client.destroy();
    for (const node of nodes) {
      await node.stop();
      node.cleanup();
    }
    await database?.drop();
  });

  test("a value written on A is what B answers next, although B had the old one cached", async () => {
    const [a, b] = clients as [SecretsManagerClient, SecretsManagerClient];
    await a.send(new CreateSecretCommand({ Name: "fresh/one", SecretString: "v0" }));
    for (let i = 1; i <= 25; i++) {
      // B reads (and caches) the current value, A replaces it, B's next read must see it.
      assert.equal(
        (await b.send(new GetSecretValueCommand({ SecretId: "fresh/one" }))).SecretString,
        `v${i - 1}`,
      );
      await a.send(new PutSecretValueCommand({ SecretId: "fresh/one", SecretString: `v${i}` }));
      const next = await b.send(new GetSecretValueCommand({ SecretId: "fresh/one" }));
      assert.equal(next.SecretString, `v${i}`, `round ${i}`);
    }
  });

  test("a key disabled on A is refused by B on its next request, and works again once enabled", async () => {
    const [nodeA, nodeB] = nodes as [ServerProcess, ServerProcess];
    await clients[0]?.send(new CreateSecretCommand({ Name: "fresh/key", SecretString: "k" }));
    const credentials = await createUserWithPolicy(nodeA.url, "reader", {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" }],
    });
    const atB = sdk(nodeB, credentials);
    try {
      assert.equal((await atB.send(new GetSecretValueCommand({ SecretId: "fresh/key" }))).SecretString, "k");
      await adminCall(nodeA.url, "UpdateAccessKey", {
        AccessKeyId: credentials.accessKeyId,
        Status: "Inactive",
      });
      await assert.rejects(atB.send(new GetSecretValueCommand({ SecretId: "fresh/key" })), {
        name: "UnrecognizedClientException",
      });
      await adminCall(nodeA.url, "UpdateAccessKey", {
        AccessKeyId: credentials.accessKeyId,
        Status: "Active",
      });
      assert.equal((await atB.send(new GetSecretValueCommand({ SecretId: "fresh/key" }))).SecretString, "k");
      // A policy removed on A: B denies the next request.
      await adminCall(nodeA.url, "DeleteUserPolicy", { UserName: "reader", PolicyName: "inline" });
      await assert.rejects(atB.send(new GetSecretValueCommand({ SecretId: "fresh/key" })), {
        name: "AccessDeniedException",
      });
    } finally {
      atB.destroy();
    }
  });

  test("text PostgreSQL cannot hold (U+0000) is refused with a 400, and nothing is stored", async () => {
    const [a] = clients as [SecretsManagerClient];
    await assert.rejects(
      a.send(new CreateSecretCommand({ Name: "fresh/nul", SecretString: "x", Description: "a\u0000b" })),
      (error: { name: string; $metadata: { httpStatusCode?: number }; message: string }) => {
        assert.equal(error.name, "InvalidParameterException");
        assert.equal(error.$metadata.httpStatusCode, 400);
        assert.match(error.message, /NUL/);
        return true;
      },
    );
    await assert.rejects(a.send(new DescribeSecretCommand({ SecretId: "fresh/nul" })), {
      name: "ResourceNotFoundException",
    });
    await assert.rejects(
      a.send(new ListSecretsCommand({ Filters: [{ Key: "description", Values: ["a\u0000"] }] })),
      { name: "ValidationException" }, // the model's pattern refuses it before any query
    );
  });

  test("the one audit chain every node writes verifies end to end, read as `coffer audit verify --data-dir` does", async () => {
    const [nodeA] = nodes as [ServerProcess];
    const api = await openLocalAuditApi(nodeA.home, { store: database.url });
    try {
      const verified = (await api.call("VerifyAuditTrail", {})) as { Intact: boolean; EventCount: number };
      assert.equal(verified.Intact, true, JSON.stringify(verified));
      const page = (await api.call("QueryAuditEvents", { EventName: "PutSecretValue", MaxResults: 100 })) as {
        Events: unknown[];
      };
      // The puts of the first test were made on A; B's reads and A's writes share one chain.
      assert.ok(page.Events.length >= 25, `${page.Events.length} PutSecretValue events`);
    } finally {
      await api.close();
    }
  });

  test("B's GET /changes streams a write made on A", async () => {
    const [nodeA, nodeB] = nodes as [ServerProcess, ServerProcess];
    const stream = await openChangeStream({
      baseUrl: nodeB.url,
      region: testRegion,
      accessKeyId: testAdmin.accessKeyId,
      secretAccessKey: testAdmin.secretAccessKey,
    });
    try {
      assert.equal(stream.response.statusCode, 200);
      await clients[0]?.send(new CreateSecretCommand({ Name: "fresh/streamed", SecretString: "s" }));
      const frame: SseFrame = await stream.reader.next(5_000);
      const event = JSON.parse(frame.data) as { Name: string; Operation: string; Region: string };
      assert.equal(event.Name, "fresh/streamed");
      assert.equal(event.Operation, "CreateSecret");
      assert.equal(event.Region, testRegion);
      assert.ok(!frame.data.includes('"s"'));
      assert.ok(nodeA.url !== nodeB.url);
    } finally {
      stream.close();
    }
  });
});
