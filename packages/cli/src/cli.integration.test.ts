import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type ServerProcess, startServerProcess, testStoreEngine } from "@coffer/server/testing";
import { runCoffer } from "./testing/coffer-process.js";

let server: ServerProcess;
let scratch: string;

function coffer(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  return runCoffer(
    args,
    { PATH: process.env.PATH ?? "", HOME: scratch, ...server.clientEnv, ...options.env },
    options.input,
  );
}

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), "coffer-cli-"));
  server = await startServerProcess();
});
after(async () => {
  rmSync(scratch, { recursive: true, force: true });
  await server?.stop();
  server?.cleanup();
});

describe("coffer CLI against a live server", () => {
  test("put from a JSON file, get whole and one field, list, describe, history", async () => {
    const file = join(scratch, "creds.json");
    writeFileSync(file, JSON.stringify({ username: "app", password: "s3cret-CANARY" }));
    const put = await coffer(["put", "prod/db", "--file", file, "--description", "main db"]);
    assert.equal(put.code, 0, put.stderr);
    assert.match(put.stdout, /arn:aws:secretsmanager:us-east-1:123456789012:secret:prod\/db-/);
    assert.doesNotMatch(put.stdout + put.stderr, /CANARY/);

    const whole = await coffer(["get", "prod/db"]);
    assert.equal(whole.code, 0, whole.stderr);
    assert.deepEqual(JSON.parse(whole.stdout), { username: "app", password: "s3cret-CANARY" });
    const field = await coffer(["get", "prod/db", "--field", "password"]);
    assert.equal(field.stdout.trim(), "s3cret-CANARY");

    const update = await coffer(["put", "prod/db", "--file", "-"], {
      input: '{"username":"app","password":"rotated"}',
    });
    assert.equal(update.code, 0, update.stderr);
    assert.equal((await coffer(["get", "prod/db", "--field", "password"])).stdout.trim(), "rotated");

    const list = await coffer(["list"]);
    assert.match(list.stdout, /prod\/db/);
    const listJson = JSON.parse((await coffer(["list", "--json"])).stdout) as Array<{ Name: string }>;
    assert.ok(listJson.some((s) => s.Name === "prod/db"));
    const describe = await coffer(["describe", "prod/db"]);
    assert.match(describe.stdout, /main db/);
    assert.doesNotMatch(describe.stdout, /rotated|CANARY/);
    const history = await coffer(["history", "prod/db"]);
    assert.match(history.stdout, /AWSCURRENT/);
    assert.match(history.stdout, /AWSPREVIOUS/);
  });

  test("key=value pairs", async () => {
    const put = await coffer(["put", "api/alpha", "apiKey=abc123", "--quiet"]);
    assert.equal(put.code, 0, put.stderr);
    assert.equal((await coffer(["get", "api/alpha", "--field", "apiKey"])).stdout.trim(), "abc123");
  });

  test("delete and restore", async () => {
    await coffer(["put", "temp/one", "k=v", "--quiet"]);
    const deleted = await coffer(["delete", "temp/one", "--recovery-days", "7"]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal((await coffer(["get", "temp/one"])).code, 5);
    assert.equal((await coffer(["restore", "temp/one"])).code, 0);
    assert.equal((await coffer(["get", "temp/one", "--field", "k"])).stdout.trim(), "v");
    assert.equal((await coffer(["delete", "temp/one", "--force", "--yes"])).code, 0);
    assert.equal((await coffer(["get", "temp/one"])).code, 2);
  });

  test("exit codes scripts can rely on", async () => {
    const missing = await coffer(["get", "no/such/secret"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /not found|can't find/i);
    const badKey = await coffer(["list"], { env: { AWS_SECRET_ACCESS_KEY: "wrong-secret-key-000000000" } });
    assert.equal(badKey.code, 3, badKey.stderr);
    const unreachable = await coffer(["list", "--endpoint-url", "http://127.0.0.1:1"]);
    assert.equal(unreachable.code, 4, unreachable.stderr);
    assert.match(unreachable.stderr, /cannot reach Coffer/);
    const usage = await coffer(["delete", "prod/db", "--recovery-days", "3"]);
    assert.equal(usage.code, 1);
  });

  test("coffer keys rotate re-wraps every data key while the server keeps answering", {
    // On PostgreSQL the key comes from COFFER_MASTER_KEY: server/src/integration/master-key-across-nodes.test.ts.
    skip: testStoreEngine() === "postgres" ? "rotates the embedded engine's keyring file" : false,
  }, async () => {
    const rotation = await coffer(["keys", "rotate"], {
      env: { COFFER_HOME: server.home, COFFER_ACCOUNT_ID: "123456789012" },
    });
    assert.equal(rotation.code, 0, rotation.stderr + rotation.stdout);
    assert.match(rotation.stdout, /Re-wrapped \d+ data keys; retired 1 old master key/);
    assert.equal((await coffer(["get", "api/alpha", "--field", "apiKey"])).stdout.trim(), "abc123");
    assert.equal((await coffer(["put", "after/rotation", "x=1", "--quiet"])).code, 0);
    // A fresh server process holding only the new key still reads everything.
    await server.stop();
    server = await startServerProcess({ home: server.home });
    assert.equal((await coffer(["get", "prod/db", "--field", "password"])).stdout.trim(), "rotated");
    assert.equal((await coffer(["get", "after/rotation", "--field", "x"])).stdout.trim(), "1");
  });
});
