import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { startServerProcess, testAdmin, testRegion } from "../testing/server-process.js";

const clientOf = (url: string, credentials = testAdmin) =>
  new SecretsManagerClient({ endpoint: url, region: testRegion, credentials, maxAttempts: 1 });

test("first start creates a 0600 master key and an admin key printed once; the second start reuses them", async () => {
  // The keyring file and the generated admin key live in the embedded engine's data folder.
  const first = await startServerProcess({ store: "sqlite", configuredAdmin: false });
  try {
    const id = /AWS_ACCESS_KEY_ID=(\S+)/.exec(first.output())?.[1];
    const secret = /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(first.output())?.[1];
    assert.ok(id && secret, first.output());
    assert.match(first.output(), /aws --endpoint-url http:\/\/127\.0\.0\.1:\d+ secretsmanager/);
    for (const file of ["master.keys", "coffer.db", "audit.log", "audit.db"]) {
      assert.equal(statSync(join(first.home, file)).mode & 0o777, 0o600, file);
    }
    const client = clientOf(first.url, { accessKeyId: id, secretAccessKey: secret });
    await client.send(new CreateSecretCommand({ Name: "kept", SecretString: "across restarts" }));
    client.destroy();
    await first.stop();

    const second = await startServerProcess({ store: "sqlite", home: first.home, configuredAdmin: false });
    try {
      assert.doesNotMatch(second.output(), /AWS_SECRET_ACCESS_KEY=/);
      const again = clientOf(second.url, { accessKeyId: id, secretAccessKey: secret });
      const read = await again.send(new GetSecretValueCommand({ SecretId: "kept" }));
      assert.equal(read.SecretString, "across restarts");
      again.destroy();
    } finally {
      await second.stop();
    }
  } finally {
    await first.stop();
    first.cleanup();
  }
});

test("an acknowledged write survives kill -9", async () => {
  const server = await startServerProcess();
  try {
    const client = clientOf(server.url);
    await client.send(new CreateSecretCommand({ Name: "durable", SecretString: "v1" }));
    await client.send(new PutSecretValueCommand({ SecretId: "durable", SecretString: "v2" }));
    client.destroy();
    await server.kill();
    const restarted = await startServerProcess({ home: server.home });
    try {
      const again = clientOf(restarted.url);
      assert.equal((await again.send(new GetSecretValueCommand({ SecretId: "durable" }))).SecretString, "v2");
      again.destroy();
    } finally {
      await restarted.stop();
    }
  } finally {
    server.cleanup();
  }
});
