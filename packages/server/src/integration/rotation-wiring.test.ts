import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { startServer } from "../app/start-server.js";
import { loadConfig } from "../config/config.js";
import type { RotationContext, RotationStepEvent, Rotator } from "../domain/rotation/rotator.js";
import { createLogger } from "../log/logger.js";
import { testAccountId, testAdmin, testRegion } from "../testing/server-process.js";

/**
 * How the server takes rotators beyond the built-ins: `startServer(…, { rotation })` with a factory
 * given the opened Coffer and the URL. The fake rotator here behaves as an AWS rotation function:
 * it calls the server back through the SDK with the credentials in its context (this issuer hands
 * out the admin's key, standing in for the short-lived credentials the real issuer mints).
 */
test("an injected resolver and issuer: the rotator runs the four steps against the server's endpoint", async () => {
  const home = mkdtempSync(join(tmpdir(), "coffer-rotation-wiring-"));
  const seen: Array<{ step: string; endpoint: string; accessKeyId: string; revoked: boolean }> = [];
  let revoked = 0;
  const lambdaArn = "arn:aws:lambda:us-east-1:123456789012:function:fake-rotator";
  const client = (context: RotationContext) =>
    new SecretsManagerClient({
      endpoint: context.endpoint,
      region: context.region,
      credentials: context.credentials,
      maxAttempts: 1,
    });
  const rotator: Rotator = {
    description: "fake lambda",
    async invoke(event: RotationStepEvent, context) {
      seen.push({
        step: event.Step,
        endpoint: context.endpoint,
        accessKeyId: context.credentials.accessKeyId,
        revoked: revoked > 0,
      });
      const sm = client(context);
      try {
        const { SecretId: arn, ClientRequestToken: token } = event;
        if (event.Step === "createSecret") {
          await sm.send(
            new PutSecretValueCommand({
              SecretId: arn,
              ClientRequestToken: token,
              SecretString: "rotated",
              VersionStages: ["AWSPENDING"],
            }),
          );
        } else if (event.Step === "testSecret") {
          await sm.send(
            new GetSecretValueCommand({ SecretId: arn, VersionId: token, VersionStage: "AWSPENDING" }),
          );
        } else if (event.Step === "finishSecret") {
          const described = await sm.send(new DescribeSecretCommand({ SecretId: arn }));
          const current = Object.entries(described.VersionIdsToStages ?? {}).find(([, s]) =>
            s.includes("AWSCURRENT"),
          )?.[0];
          await sm.send(
            new UpdateSecretVersionStageCommand({
              SecretId: arn,
              VersionStage: "AWSCURRENT",
              MoveToVersionId: token,
              RemoveFromVersionId: current,
            }),
          );
        }
      } finally {
        sm.destroy();
      }
    },
  };
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
      rotation: (coffer, endpoint) => {
        assert.ok(coffer.secretDeps && endpoint.startsWith("http://"));
        return {
          resolver: { resolve: (arn) => (arn === lambdaArn ? rotator : undefined) },
          issuer: {
            issue: async ({ ttlMs }) => ({ ...testAdmin, expiresAt: new Date(Date.now() + ttlMs) }),
            revoke: async () => {
              revoked++;
            },
          },
        };
      },
    },
  );
  const sm = new SecretsManagerClient({
    endpoint: server.url,
    region: testRegion,
    credentials: testAdmin,
    maxAttempts: 1,
  });
  try {
    await sm.send(new CreateSecretCommand({ Name: "wired", SecretString: "before" }));
    const rotated = await sm.send(
      new RotateSecretCommand({ SecretId: "wired", RotationLambdaARN: lambdaArn }),
    );
    await server.rotation.service.settled();
    const current = await sm.send(new GetSecretValueCommand({ SecretId: "wired" }));
    assert.equal(current.SecretString, "rotated");
    assert.equal(current.VersionId, rotated.VersionId);
    assert.deepEqual(
      seen.map((s) => s.step),
      ["createSecret", "setSecret", "testSecret", "finishSecret"],
    );
    assert.ok(
      seen.every((s) => s.endpoint === server.url && s.accessKeyId === testAdmin.accessKeyId && !s.revoked),
    );
    assert.equal(revoked, 1, "the run's credentials are revoked once it is over");
  } finally {
    sm.destroy();
    await server.close();
    rmSync(home, { recursive: true, force: true });
  }
});
