import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { startServerProcess, testAdmin, testRegion } from "../testing/server-process.js";

const clientOf = (url: string, credentials = testAdmin) =>
  new SecretsManagerClient({ endpoint: url, region: testRegion, credentials, maxAttempts: 1 });

test("first start creates a 0600 master key and an admin key printed once; the second start reuses them", async () => {
  const first = await startServerProcess({ configuredAdmin: false });
  try {
    const id = /AWS_ACCESS_KEY_ID=(\S+)/.exec(first.output())?.[1];
    const secret = /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(first.output())?.[1];
    assert.ok(id && secret, first.output());
    assert.match(first.output(), /aws --endpoint-url http:\/\/127\.0\.0\.1:\d+ secretsmanager/);
    assert.equal(statSync(join(first.home, "master.keys")).mode & 0o777, 0o600);
    const client = clientOf(first.url, { accessKeyId: id, secretAccessKey: secret });
    await client.send(new CreateSecretCommand({ Name: "kept", SecretString: "across restarts" }));
    client.destroy();
    await first.stop();

    const second = await startServerProcess({ home: first.home, configuredAdmin: false });
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

test("master key rotation re-wraps every data key while the server keeps answering", async () => {
  const server = await startServerProcess();
  const client = clientOf(server.url);
  try {
    for (let i = 0; i < 5; i++)
      await client.send(new CreateSecretCommand({ Name: `rot-${i}`, SecretString: `value-${i}` }));
    const cli = join(fileURLToPath(new URL("../../../cli/dist/main.js", import.meta.url)));
    const rotation = spawnSync(process.execPath, [cli, "keys", "rotate"], {
      env: { PATH: process.env.PATH ?? "", COFFER_HOME: server.home, COFFER_ACCOUNT_ID: "123456789012" },
      encoding: "utf8",
    });
    assert.equal(rotation.status, 0, rotation.stderr + rotation.stdout);
    assert.match(rotation.stdout, /Re-wrapped \d+ data keys; retired 1 old master key/);
    for (let i = 0; i < 5; i++) {
      const read = await client.send(new GetSecretValueCommand({ SecretId: `rot-${i}` }));
      assert.equal(read.SecretString, `value-${i}`);
    }
    await client.send(new CreateSecretCommand({ Name: "after-rotation", SecretString: "new" }));
    assert.equal((await client.send(new ListSecretsCommand({}))).SecretList?.length, 6);
    // A fresh process, with only the new key in the keyring, reads everything.
    await server.stop();
    const restarted = await startServerProcess({ home: server.home });
    const again = clientOf(restarted.url);
    assert.equal(
      (await again.send(new GetSecretValueCommand({ SecretId: "rot-3" }))).SecretString,
      "value-3",
    );
    again.destroy();
    await restarted.stop();
  } finally {
    client.destroy();
    await server.stop();
    server.cleanup();
  }
});
