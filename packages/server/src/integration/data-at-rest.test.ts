import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretCommand,
} from "@aws-sdk/client-secrets-manager";
import { startServerProcess, testAdmin, testRegion } from "../testing/server-process.js";

const canary = "CANARY-7f3a9c1e-do-not-leak";

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function assertNoCanary(haystack: Buffer, where: string) {
  for (const needle of [
    canary,
    Buffer.from(canary).toString("base64"),
    Buffer.from(canary).toString("hex"),
  ]) {
    assert.equal(haystack.includes(needle), false, `${where} contains the canary (${needle.slice(0, 12)}…)`);
  }
}

test("a canary value written and read through every operation never appears in the data folder or the logs", async () => {
  const server = await startServerProcess({ store: "sqlite" });
  const client = new SecretsManagerClient({
    endpoint: server.url,
    region: testRegion,
    credentials: testAdmin,
    maxAttempts: 1,
  });
  try {
    const json = JSON.stringify({ password: canary });
    await client.send(new CreateSecretCommand({ Name: "canary/create", SecretString: json }));
    await client.send(new CreateSecretCommand({ Name: "canary/binary", SecretBinary: Buffer.from(canary) }));
    await client.send(new CreateSecretCommand({ Name: "canary/put" }));
    await client.send(new PutSecretValueCommand({ SecretId: "canary/put", SecretString: `${canary}-put` }));
    await client.send(
      new UpdateSecretCommand({ SecretId: "canary/create", SecretString: `${canary}-update` }),
    );
    const token = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    await client.send(
      new PutSecretValueCommand({
        SecretId: "canary/put",
        SecretString: `${canary}-t`,
        ClientRequestToken: token,
      }),
    );
    // Rejected writes carrying the canary: clashing token, oversized value, both kinds at once.
    await assert.rejects(
      client.send(
        new PutSecretValueCommand({
          SecretId: "canary/put",
          SecretString: `${canary}-clash`,
          ClientRequestToken: token,
        }),
      ),
      (error: Error) => !error.message.includes(canary),
    );
    await assert.rejects(
      client.send(new PutSecretValueCommand({ SecretId: "canary/put", SecretString: canary.repeat(3000) })),
      (error: Error) => !error.message.includes(canary),
    );
    await assert.rejects(
      client.send(
        new CreateSecretCommand({
          Name: "canary/both",
          SecretString: canary,
          SecretBinary: Buffer.from(canary),
        }),
      ),
      (error: Error) => !error.message.includes(canary),
    );
    await assert.rejects(
      client.send(new CreateSecretCommand({ Name: "bad name", SecretString: canary })),
      (error: Error) => !error.message.includes(canary),
    );
    // Replication: the replica's copy, and the events in the replica's region (ReplicationSucceeded).
    await client.send(
      new CreateSecretCommand({
        Name: "canary/replicated",
        SecretString: `${canary}-primary`,
        AddReplicaRegions: [{ Region: "eu-west-1" }],
      }),
    );
    await client.send(
      new PutSecretValueCommand({ SecretId: "canary/replicated", SecretString: `${canary}-replicated` }),
    );
    const replicaClient = new SecretsManagerClient({
      endpoint: server.url,
      region: "eu-west-1",
      credentials: testAdmin,
      maxAttempts: 1,
    });
    const replicaRead = await replicaClient.send(
      new GetSecretValueCommand({ SecretId: "canary/replicated" }),
    );
    replicaClient.destroy();
    assert.equal(replicaRead.SecretString, `${canary}-replicated`);
    const read = await client.send(new GetSecretValueCommand({ SecretId: "canary/create" }));
    assert.equal(read.SecretString, `${canary}-update`);
    const batch = await client.send(
      new BatchGetSecretValueCommand({ SecretIdList: ["canary/create", "canary/binary", "canary/put"] }),
    );
    assert.equal(batch.SecretValues?.length, 3);

    // The replica events are in the trail, so the scan below covers them.
    assert.ok(
      filesUnder(server.home).some((file) => readFileSync(file).includes("ReplicationSucceeded")),
      "the audit trail holds the replica-region events",
    );
    // While running (WAL not yet checkpointed) and after a clean stop.
    for (const file of filesUnder(server.home)) assertNoCanary(readFileSync(file), file);
    await server.stop();
    for (const file of filesUnder(server.home)) {
      assertNoCanary(readFileSync(file), file);
      assert.equal(
        readFileSync(file).includes(testAdmin.secretAccessKey),
        false,
        `${file} holds the admin secret key in plaintext`,
      );
    }
    assertNoCanary(Buffer.from(server.output()), "server output");
  } finally {
    client.destroy();
    await server.stop();
    server.cleanup();
  }
});
