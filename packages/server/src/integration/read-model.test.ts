import assert from "node:assert/strict";
import { Agent } from "node:http";
import { after, before, describe, test } from "node:test";
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { rotateMasterKey } from "../app/rotate-master-key.js";
import type { ServerProcess } from "../testing/server-process.js";
import { startServerProcess, testAccountId, testAdmin, testRegion } from "../testing/server-process.js";
import { testStoreEngine } from "../testing/test-store.js";

let server: ServerProcess;
const agents: Agent[] = [];
const clients: SecretsManagerClient[] = [];

/** A client on its own keep-alive connection: one socket, not shared with any other client. */
function ownConnection(): SecretsManagerClient {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  agents.push(agent);
  const client = new SecretsManagerClient({
    endpoint: server.url,
    region: testRegion,
    credentials: testAdmin,
    maxAttempts: 1,
    requestHandler: { httpAgent: agent },
  });
  clients.push(client);
  return client;
}

before(async () => {
  server = await startServerProcess();
});
after(async () => {
  for (const client of clients) client.destroy();
  for (const agent of agents) agent.destroy();
  await server.stop();
  server.cleanup();
});

describe("the read model, through a real server and SDK clients on separate connections", () => {
  test("a write on one connection is visible to the very next read on any other", async () => {
    const writer = ownConnection();
    const readers = [ownConnection(), ownConnection(), ownConnection()];
    await writer.send(new CreateSecretCommand({ Name: "rm/visible", SecretString: "v0" }));
    for (const reader of readers) {
      // Warm every connection's view first, so a stale cached answer would show.
      assert.equal(
        (await reader.send(new GetSecretValueCommand({ SecretId: "rm/visible" }))).SecretString,
        "v0",
      );
    }
    for (let i = 1; i <= 20; i++) {
      const put = await writer.send(
        new PutSecretValueCommand({ SecretId: "rm/visible", SecretString: `v${i}` }),
      );
      const reader = readers[i % readers.length] as SecretsManagerClient;
      const read = await reader.send(new GetSecretValueCommand({ SecretId: "rm/visible" }));
      assert.equal(read.SecretString, `v${i}`);
      assert.equal(read.VersionId, put.VersionId);
      // By ARN and by partial ARN too: every spelling of the id sees the write.
      const byArn = await reader.send(new GetSecretValueCommand({ SecretId: put.ARN }));
      assert.equal(byArn.SecretString, `v${i}`);
    }
  });

  test("stage moves, deletion, restore and policy changes reach the next read", async () => {
    const writer = ownConnection();
    const reader = ownConnection();
    const created = await writer.send(new CreateSecretCommand({ Name: "rm/lifecycle", SecretString: "one" }));
    const second = await writer.send(
      new PutSecretValueCommand({ SecretId: "rm/lifecycle", SecretString: "two" }),
    );
    assert.equal(
      (await reader.send(new GetSecretValueCommand({ SecretId: "rm/lifecycle" }))).SecretString,
      "two",
    );
    await writer.send(
      new UpdateSecretVersionStageCommand({
        SecretId: "rm/lifecycle",
        VersionStage: "AWSCURRENT",
        MoveToVersionId: created.VersionId,
        RemoveFromVersionId: second.VersionId,
      }),
    );
    assert.equal(
      (await reader.send(new GetSecretValueCommand({ SecretId: "rm/lifecycle" }))).SecretString,
      "one",
    );

    await writer.send(new DeleteSecretCommand({ SecretId: "rm/lifecycle", RecoveryWindowInDays: 7 }));
    await assert.rejects(reader.send(new GetSecretValueCommand({ SecretId: "rm/lifecycle" })), {
      name: "InvalidRequestException",
    });
    await writer.send(new RestoreSecretCommand({ SecretId: "rm/lifecycle" }));
    assert.equal(
      (await reader.send(new GetSecretValueCommand({ SecretId: "rm/lifecycle" }))).SecretString,
      "one",
    );

    // A resource policy that denies the read applies to the very next (warm) read.
    await writer.send(
      new PutResourcePolicyCommand({
        SecretId: "rm/lifecycle",
        ResourcePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Deny",
              Principal: { AWS: `arn:aws:iam::${testAccountId}:root` },
              Action: "secretsmanager:GetSecretValue",
              Resource: "*",
            },
          ],
        }),
      }),
    );
    await assert.rejects(reader.send(new GetSecretValueCommand({ SecretId: "rm/lifecycle" })), {
      name: "AccessDeniedException",
    });
  });

  test("a master-key rotation by another process (coffer keys rotate) leaves reads correct", {
    // On PostgreSQL the key comes from COFFER_MASTER_KEY, rotated in rolling restarts:
    // integration/master-key-across-nodes.test.ts. This one rotates the keyring file.
    skip: testStoreEngine() === "postgres" ? "rotates the embedded engine's keyring file" : false,
  }, async () => {
    const writer = ownConnection();
    const reader = ownConnection();
    await writer.send(new CreateSecretCommand({ Name: "rm/rotated", SecretString: "kept" }));
    assert.equal(
      (await reader.send(new GetSecretValueCommand({ SecretId: "rm/rotated" }))).SecretString,
      "kept",
    );
    const lines: string[] = [];
    const rotated = await rotateMasterKey({ COFFER_HOME: server.home }, (line) => lines.push(line));
    assert.notEqual(rotated.newId, rotated.previousId);
    assert.equal(
      (await reader.send(new GetSecretValueCommand({ SecretId: "rm/rotated" }))).SecretString,
      "kept",
    );
    // Written after the rotation (sealed under the new key), read on the other connection.
    await writer.send(new PutSecretValueCommand({ SecretId: "rm/rotated", SecretString: "after" }));
    assert.equal(
      (await reader.send(new GetSecretValueCommand({ SecretId: "rm/rotated" }))).SecretString,
      "after",
    );
  });
});
