import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, describe, test } from "node:test";
import { adminCall } from "../testing/admin-call.js";
import { requireTool } from "../testing/real-clients.js";
import { type ServerProcess, startServerProcess, testRegion } from "../testing/server-process.js";

/**
 * Local-emulator setups declare short fixed key pairs (`test`/`test`); the real aws CLI signs with
 * them as with any key, so Coffer accepts them too, and warns when such a key guards a server that
 * listens beyond loopback.
 */
const { skip } = requireTool("aws");
const emulatorKey = { accessKeyId: "test", secretAccessKey: "test" };
const started: ServerProcess[] = [];

async function start(env: Record<string, string> = {}) {
  const server = await startServerProcess({
    configuredAdmin: false,
    env: {
      COFFER_ADMIN_ACCESS_KEY_ID: emulatorKey.accessKeyId,
      COFFER_ADMIN_SECRET_ACCESS_KEY: emulatorKey.secretAccessKey,
      COFFER_LOG_LEVEL: "info",
      ...env,
    },
  });
  started.push(server);
  return server;
}

after(async () => {
  for (const server of started) {
    await server.stop();
    server.cleanup();
  }
});

function aws(
  server: ServerProcess,
  args: string[],
): Promise<{ status: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: server.home,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: testRegion,
    AWS_DEFAULT_REGION: testRegion,
    AWS_PAGER: "",
    AWS_MAX_ATTEMPTS: "1",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: server.clientEnv.AWS_CONFIG_FILE ?? "",
    AWS_SHARED_CREDENTIALS_FILE: server.clientEnv.AWS_SHARED_CREDENTIALS_FILE ?? "",
  };
  const argv = ["secretsmanager", ...args, "--endpoint-url", server.url, "--output", "json"];
  return new Promise((resolve) => {
    execFile("aws", argv, { env, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe("declared emulator keys (test/test)", () => {
  test("the aws CLI signs with test/test against a real server", { skip }, async () => {
    const server = await start();
    assert.doesNotMatch(server.output(), /warning/i, "no warning on loopback");
    const created = await aws(server, ["create-secret", "--name", "emulated", "--secret-string", "v1"]);
    assert.equal(created.status, 0, created.stderr);
    const read = await aws(server, ["get-secret-value", "--secret-id", "emulated"]);
    assert.equal(read.status, 0, read.stderr);
    assert.equal(JSON.parse(read.stdout).SecretString, "v1");
    // The admin API takes the short key id too (the lockout guard answers, not a ValidationException).
    const keys = (await adminCall(server.url, "ListAccessKeys", { UserName: "admin" }, emulatorKey)) as {
      AccessKeyMetadata: Array<{ AccessKeyId: string }>;
    };
    assert.deepEqual(
      keys.AccessKeyMetadata.map((k) => k.AccessKeyId),
      ["test"],
    );
    await assert.rejects(
      adminCall(server.url, "UpdateAccessKey", { AccessKeyId: "test", Status: "Inactive" }, emulatorKey),
      { name: "InvalidRequestException" },
    );
  });

  test("one warning line on stderr when listening beyond loopback with a weak declared key", async () => {
    const server = await start({ COFFER_HOST: "0.0.0.0" });
    const warnings = server
      .output()
      .split("\n")
      .filter((line) => line.startsWith("coffer: warning:"));
    assert.equal(warnings.length, 1, server.output());
    assert.match(warnings[0] ?? "", /COFFER_HOST=0\.0\.0\.0/);
  });
});
