import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import {
  issueRotationCredentialsEventName,
  revokeRotationCredentialsEventName,
} from "../app/rotation-credential-audit.js";
import { type RunningServer, startServer } from "../app/start-server.js";
import type { StoredAuditEvent } from "../audit/audit-query.js";
import { loadConfig } from "../config/config.js";
import type { RotationCredentials } from "../domain/rotation/rotator.js";
import { createLogger } from "../log/logger.js";
import { requireTool } from "../testing/real-clients.js";
import { testAccountId, testAdmin, testRegion } from "../testing/server-process.js";
import { LocalLambdaRotator } from "./local-lambda-rotator.js";
import {
  adminClient,
  createSecret,
  currentValue,
  fixturesDir,
  stagesOf,
  stepEvent,
  steps,
} from "./rotation-test-kit.test-helper.js";

/**
 * The issuer inside a running server (in this process, so the test can ask it; every call still
 * goes over HTTP through the whole pipeline): what the credentials may and may not do, that revoking
 * ends them at once, that issue and revoke are in the audit trail without the secret half or the
 * token, and a whole rotation by a Python function with them,
 * leaving no secret value in the server's log, the trail or an error.
 */

const py = requireTool("boto3");
let server: RunningServer;
let home: string;
let admin: SecretsManagerClient;
const logLines: string[] = [];
const stepErrors: string[] = [];

function clientWith(credentials: RotationCredentials): SecretsManagerClient {
  return new SecretsManagerClient({ endpoint: server.url, region: testRegion, credentials, maxAttempts: 1 });
}

async function errorName(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => "no error",
    (error: Error) => error.name,
  );
}

async function trailEvents(): Promise<StoredAuditEvent[]> {
  return (await server.coffer.auditLog.query({ limit: 1000, order: "asc" })).events;
}

function pythonRotator(file: string, environment: Record<string, string> = {}) {
  return new LocalLambdaRotator({
    file,
    runtime: "python",
    handlerName: "lambda_handler",
    functionArn: "arn:aws:lambda:us-east-1:123456789012:function:issued",
    timeoutMs: 60_000,
    interpreter: py.python,
    environment,
    path: process.env.PATH ?? "",
  });
}

describe("rotation credentials issued by the server", () => {
  before(async () => {
    home = mkdtempSync(join(tmpdir(), "coffer-rotation-issuer-"));
    server = await startServer(
      loadConfig({
        COFFER_HOME: home,
        COFFER_PORT: "0",
        COFFER_ACCOUNT_ID: testAccountId,
        COFFER_ADMIN_ACCESS_KEY_ID: testAdmin.accessKeyId,
        COFFER_ADMIN_SECRET_ACCESS_KEY: testAdmin.secretAccessKey,
      }),
      createLogger("debug", (line) => logLines.push(line)),
    );
    admin = adminClient(server.url);
  });
  after(async () => {
    admin?.destroy();
    await server?.close();
    rmSync(home, { recursive: true, force: true });
  });

  test("allow the rotation actions on that secret and GetRandomPassword, nothing else", async () => {
    const arn = await createSecret(admin, `issued/own-${randomUUID().slice(0, 6)}`, "own");
    const other = await createSecret(admin, `issued/other-${randomUUID().slice(0, 6)}`, "other");
    const credentials = await server.coffer.rotationCredentials.issue({
      secretArn: arn,
      region: testRegion,
      ttlMs: 60_000,
    });
    assert.match(credentials.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.ok(credentials.sessionToken);
    const client = clientWith(credentials);
    try {
      assert.equal((await client.send(new DescribeSecretCommand({ SecretId: arn }))).ARN, arn);
      assert.equal((await client.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString, "own");
      await client.send(
        new PutSecretValueCommand({ SecretId: arn, SecretString: "own-2", VersionStages: ["AWSPENDING"] }),
      );
      assert.ok((await client.send(new GetRandomPasswordCommand({}))).RandomPassword);

      assert.equal(
        await errorName(client.send(new GetSecretValueCommand({ SecretId: other }))),
        "AccessDeniedException",
      );
      assert.equal(
        await errorName(client.send(new DescribeSecretCommand({ SecretId: other }))),
        "AccessDeniedException",
      );
      assert.equal(await errorName(client.send(new ListSecretsCommand({}))), "AccessDeniedException");
      assert.equal(
        await errorName(client.send(new DeleteSecretCommand({ SecretId: arn }))),
        "AccessDeniedException",
      );
      assert.equal(
        await errorName(client.send(new CreateSecretCommand({ Name: "issued/new", SecretString: "x" }))),
        "AccessDeniedException",
      );
      // Without the session token the key is refused, as any session credential is.
      const tokenless = clientWith({ ...credentials, sessionToken: undefined });
      assert.equal(
        await errorName(tokenless.send(new DescribeSecretCommand({ SecretId: arn }))),
        "UnrecognizedClientException",
      );
      tokenless.destroy();

      await server.coffer.rotationCredentials.revoke(credentials);
      assert.equal(
        await errorName(client.send(new DescribeSecretCommand({ SecretId: arn }))),
        "UnrecognizedClientException",
      );
    } finally {
      client.destroy();
    }
  });

  test("issue and revoke are in the audit trail, with the key id and never its secret or token", async () => {
    const arn = await createSecret(admin, `issued/audit-${randomUUID().slice(0, 6)}`, "audit");
    const credentials = await server.coffer.rotationCredentials.issue({
      secretArn: arn,
      region: testRegion,
      ttlMs: 120_000,
    });
    await server.coffer.rotationCredentials.revoke(credentials);
    const events = (await trailEvents()).filter(
      (e) => e.event.responseElements?.accessKeyId === credentials.accessKeyId,
    );
    assert.deepEqual(
      events.map((e) => e.event.eventName),
      [issueRotationCredentialsEventName, revokeRotationCredentialsEventName],
    );
    const [issued] = events;
    assert.equal(issued?.event.requestParameters?.secretId, arn);
    assert.equal(issued?.event.userIdentity.type, "CofferService");
    assert.equal(issued?.event.responseElements?.expiration, credentials.expiresAt.toISOString());
    assert.match(
      String(issued?.event.responseElements?.principal),
      /^arn:aws:sts::123456789012:assumed-role\/CofferRotation\/rotation-[0-9a-f]{16}$/,
    );
    const journal = readFileSync(join(home, "audit.log"), "utf8");
    assert.ok(!journal.includes(credentials.secretAccessKey));
    assert.ok(!journal.includes(credentials.sessionToken as string));
  });

  test("calls made with them are attributed to the rotation session in the trail", async () => {
    const arn = await createSecret(admin, `issued/who-${randomUUID().slice(0, 6)}`, "who");
    const credentials = await server.coffer.rotationCredentials.issue({
      secretArn: arn,
      region: testRegion,
      ttlMs: 60_000,
    });
    const client = clientWith(credentials);
    await client.send(new DescribeSecretCommand({ SecretId: arn }));
    client.destroy();
    await server.coffer.rotationCredentials.revoke(credentials);
    const call = (await trailEvents()).find(
      (e) =>
        e.event.eventName === "DescribeSecret" &&
        e.event.userIdentity.accessKeyId === credentials.accessKeyId,
    );
    assert.equal(call?.event.userIdentity.type, "AssumedRole");
    assert.match(call?.event.userIdentity.arn ?? "", /assumed-role\/CofferRotation\/rotation-/);
  });

  test("a Python rotation function rotates with them; no value in the log, the trail or an error", {
    skip: py.skip,
  }, async () => {
    const canary = `CANARY-issued-${randomUUID()}`;
    const arn = await createSecret(admin, `issued/rotate-${randomUUID().slice(0, 6)}`, canary);
    const credentials = await server.coffer.rotationCredentials.issue({
      secretArn: arn,
      region: testRegion,
      ttlMs: 120_000,
    });
    const token = randomUUID();
    const rotator = pythonRotator(join(fixturesDir, "single_user_rotation.py"), { PRINT_VALUES: "1" });
    const context = {
      endpoint: server.url,
      region: testRegion,
      credentials,
      signal: new AbortController().signal,
    };
    for (const step of steps) await rotator.invoke(stepEvent(step, arn, token), context);
    // A failing run with the same credentials: its message is kept to be searched below.
    await pythonRotator(join(fixturesDir, "single_user_rotation.py"), {
      PRINT_VALUES: "1",
      FAIL_STEP: "setSecret",
    })
      .invoke(stepEvent("setSecret", arn, token), context)
      .catch((error: Error) => stepErrors.push(error.message));
    await server.coffer.rotationCredentials.revoke(credentials);
    const stages = await stagesOf(admin, arn);
    assert.deepEqual(stages[token], ["AWSCURRENT"]);
    const rotated = await currentValue(admin, arn);
    assert.notEqual(rotated, canary);

    assert.equal(stepErrors.length, 1);
    const journal = readFileSync(join(home, "audit.log"), "utf8");
    for (const value of [canary, rotated]) {
      assert.ok(!logLines.join("").includes(value), "no value in the server's log");
      assert.ok(!journal.includes(value), "no value in the audit trail");
      assert.ok(!stepErrors.join("").includes(value), "no value in a step's error");
    }
    assert.ok(logLines.length > 0, "the log was captured");
  });
});
