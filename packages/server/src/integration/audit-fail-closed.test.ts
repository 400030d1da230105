import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { createLogger } from "../app/logger.js";
import { startServer } from "../app/start-server.js";
import { loadConfig } from "../config/config.js";
import { testAccountId, testAdmin, testRegion } from "../testing/server-process.js";

test("a request whose audit event cannot be written fails, and its value is not sent", async () => {
  const home = mkdtempSync(join(tmpdir(), "coffer-fail-closed-"));
  let auditWorks = true;
  // A server that fails to start must not leave its data folder behind.
  const server = await startServer(
    loadConfig({
      COFFER_HOME: home,
      COFFER_PORT: "0",
      COFFER_ACCOUNT_ID: testAccountId,
      COFFER_ADMIN_ACCESS_KEY_ID: testAdmin.accessKeyId,
      COFFER_ADMIN_SECRET_ACCESS_KEY: testAdmin.secretAccessKey,
    }),
    createLogger("error", () => {}),
    {
      audit: async () => {
        if (!auditWorks) throw new Error("disk full");
      },
    },
  ).catch((error: unknown) => {
    rmSync(home, { recursive: true, force: true });
    throw error;
  });
  const client = new SecretsManagerClient({
    endpoint: server.url,
    region: testRegion,
    credentials: testAdmin,
    maxAttempts: 1,
  });
  try {
    await client.send(new CreateSecretCommand({ Name: "guarded", SecretString: "CANARY-fail-closed" }));
    auditWorks = false;
    await assert.rejects(
      client.send(new GetSecretValueCommand({ SecretId: "guarded" })),
      (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(error.name, "InternalServiceError");
        assert.match(error.message, /audit trail/);
        assert.doesNotMatch(error.message, /CANARY/);
        return true;
      },
    );
    auditWorks = true;
    assert.equal(
      (await client.send(new GetSecretValueCommand({ SecretId: "guarded" }))).SecretString,
      "CANARY-fail-closed",
    );
  } finally {
    client.destroy();
    await server.close();
    rmSync(home, { recursive: true, force: true });
  }
});
