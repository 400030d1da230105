import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { startServer } from "../app/start-server.js";
import { AuditWriteError } from "../audit/audit-write-error.js";
import { loadConfig } from "../config/config.js";
import { createLogger } from "../log/logger.js";
import type { RequestAudit, RequestRecord } from "../pipeline/request-record.js";
import { testAccountId, testAdmin, testRegion } from "../testing/server-process.js";

test("a request whose audit event cannot be written fails, and its value is not sent", async () => {
  let auditWorks = true;
  const { client, close } = await serverWithAudit(async () => {
    if (!auditWorks) throw new Error("disk full");
  });
  try {
    await client.send(new CreateSecretCommand({ Name: "guarded", SecretString: "CANARY-fail-closed" }));
    auditWorks = false;
    await assert.rejects(client.send(new GetSecretValueCommand({ SecretId: "guarded" })), (error: Error) => {
      unavailable(error);
      assert.match(error.message, /audit trail/);
      return true;
    });
    auditWorks = true;
    assert.equal(
      (await client.send(new GetSecretValueCommand({ SecretId: "guarded" }))).SecretString,
      "CANARY-fail-closed",
    );
  } finally {
    await close();
  }
});

/** A server whose audit trail is replaced by `audit`, with an SDK client that does not retry. */
async function serverWithAudit(audit: RequestAudit) {
  const home = mkdtempSync(join(tmpdir(), "coffer-write-ahead-"));
  const server = await startServer(
    loadConfig({
      COFFER_HOME: home,
      COFFER_PORT: "0",
      COFFER_ACCOUNT_ID: testAccountId,
      COFFER_ADMIN_ACCESS_KEY_ID: testAdmin.accessKeyId,
      COFFER_ADMIN_SECRET_ACCESS_KEY: testAdmin.secretAccessKey,
    }),
    createLogger("error", () => {}),
    { audit },
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
  return {
    client,
    async close() {
      client.destroy();
      await server.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

const unavailable = (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
  assert.equal(error.name, "ServiceUnavailableException");
  assert.equal(error.$metadata?.httpStatusCode, 503);
  assert.doesNotMatch(error.message, /CANARY/);
  return true;
};

test("a change whose intent cannot be recorded is refused before it is made: nothing changes", async () => {
  const records: RequestRecord[] = [];
  let refuseIntents = false;
  const { client, close } = await serverWithAudit(async (record) => {
    if (record.intent && refuseIntents) throw new AuditWriteError("disk full");
    records.push(structuredClone(record));
  });
  try {
    await client.send(new CreateSecretCommand({ Name: "ahead", SecretString: "CANARY-v1" }));
    refuseIntents = true;
    await assert.rejects(
      client.send(new PutSecretValueCommand({ SecretId: "ahead", SecretString: "CANARY-v2" })),
      unavailable,
    );
    await assert.rejects(
      client.send(new CreateSecretCommand({ Name: "never", SecretString: "x" })),
      unavailable,
    );
    await assert.rejects(client.send(new DeleteSecretCommand({ SecretId: "ahead" })), unavailable);
    refuseIntents = false;
    assert.equal(
      (await client.send(new GetSecretValueCommand({ SecretId: "ahead" }))).SecretString,
      "CANARY-v1",
    );
    const versions = await client.send(new ListSecretVersionIdsCommand({ SecretId: "ahead" }));
    assert.equal(versions.Versions?.length, 1);
    await assert.rejects(client.send(new DescribeSecretCommand({ SecretId: "never" })), {
      name: "ResourceNotFoundException",
    });
    // The one change that was made was announced first, naming the version it created.
    const create = records.filter((r) => r.operation === "CreateSecret");
    assert.deepEqual(
      create.map((r) => Boolean(r.intent)),
      [true, false],
    );
    const token = create[0]?.input?.ClientRequestToken;
    assert.equal(typeof token, "string");
    assert.equal((create[1]?.output as { VersionId?: string } | undefined)?.VersionId, token);
  } finally {
    await close();
  }
});

test("a change made but whose outcome cannot be recorded answers 503, and the retry with its token is safe", async () => {
  let refuseOutcomes = false;
  const { client, close } = await serverWithAudit(async (record) => {
    if (!record.intent && refuseOutcomes && record.operation === "PutSecretValue") {
      throw new AuditWriteError("disk full");
    }
  });
  try {
    await client.send(new CreateSecretCommand({ Name: "unconfirmed", SecretString: "CANARY-v1" }));
    refuseOutcomes = true;
    const token = "11111111-2222-4333-8444-555555555555";
    await assert.rejects(
      client.send(
        new PutSecretValueCommand({
          SecretId: "unconfirmed",
          SecretString: "CANARY-v2",
          ClientRequestToken: token,
        }),
      ),
      (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
        unavailable(error);
        assert.match(error.message, /ClientRequestToken/);
        return true;
      },
    );
    refuseOutcomes = false;
    const retried = await client.send(
      new PutSecretValueCommand({
        SecretId: "unconfirmed",
        SecretString: "CANARY-v2",
        ClientRequestToken: token,
      }),
    );
    assert.equal(retried.VersionId, token);
    const versions = await client.send(new ListSecretVersionIdsCommand({ SecretId: "unconfirmed" }));
    assert.equal(versions.Versions?.length, 2, "the retry made no second version");
  } finally {
    await close();
  }
});
