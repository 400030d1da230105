import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createSigV4Verifier } from "../auth/sigv4/index.js";
import { rotationPolicy } from "../domain/identity/rotation-credentials.js";
import { RotationStepError } from "../domain/rotation/rotator.js";
import { createUserWithPolicy } from "../testing/admin-call.js";
import { requireTool } from "../testing/real-clients.js";
import { type ServerProcess, startServerProcess } from "../testing/server-process.js";
import { AwsLambdaRotator } from "./aws-lambda-rotator.js";
import { loadRotatorResolver } from "./configured-resolver.js";
import { LocalLambdaRotator } from "./local-lambda-rotator.js";
import {
  adminClient,
  contextFor,
  createSecret,
  fixturesDir,
  stagesOf,
  stepEvent,
  steps,
} from "./rotation-test-kit.test-helper.js";

/**
 * Real AWS Lambda by ARN, through the AWS SDK, against a local stand-in of Lambda's Invoke API
 * (`POST /2015-03-31/functions/<name>/invocations`, SigV4 for service `lambda` checked with Coffer's
 * own verifier) that runs the Python rotation function with the function's own Coffer credentials,
 * as a function deployed in AWS and pointed at Coffer would.
 */

const py = requireTool("boto3");
const awsKey = {
  accessKeyId: "AKIASTANDINLAMBDA001",
  secretAccessKey: "stand-in-lambda-secret-key-0123456789",
};
const rotatorArn = "arn:aws:lambda:us-east-1:123456789012:function:stand-in-rotator";
const failingArn = "arn:aws:lambda:us-east-1:123456789012:function:failing-rotator";
let server: ServerProcess;
let admin: SecretsManagerClient;
let standIn: { url: string; invocations: Array<{ name: string; payload: unknown }>; close(): Promise<void> };
let functionCredentials: { accessKeyId: string; secretAccessKey: string; expiresAt: Date };
let home: string;

async function startStandIn() {
  const verifier = createSigV4Verifier({ service: "lambda" });
  const invocations: Array<{ name: string; payload: unknown }> = [];
  const http: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", async () => {
      const body = Buffer.concat(chunks);
      const reply = (status: number, payload: object, headers: Record<string, string> = {}) =>
        response
          .writeHead(status, { "content-type": "application/json", ...headers })
          .end(JSON.stringify(payload));
      try {
        const parsed = verifier.parse({
          method: request.method ?? "",
          rawUrl: request.url ?? "",
          headers: request.headers,
          body,
        });
        verifier.check(parsed, awsKey.secretAccessKey);
      } catch (error) {
        return reply(403, { message: String(error) }, { "x-amzn-errortype": "InvalidSignatureException" });
      }
      const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(request.url ?? "");
      const name = decodeURIComponent(match?.[1] ?? "");
      const payload = JSON.parse(body.toString("utf8")) as {
        Step: string;
        SecretId: string;
        ClientRequestToken: string;
        RotationToken: string;
      };
      invocations.push({ name, payload });
      if (name === failingArn) {
        return reply(
          200,
          {
            errorType: "RuntimeError",
            errorMessage: `${payload.Step} refused on purpose`,
            stackTrace: ["  File x"],
          },
          { "x-amz-function-error": "Unhandled" },
        );
      }
      if (name !== rotatorArn) {
        return reply(
          404,
          { Type: "User", message: `Function not found: ${name}` },
          { "x-amzn-errortype": "ResourceNotFoundException" },
        );
      }
      // The deployed function: the Python fixture with its own Coffer credentials, pointed at Coffer.
      const fn = new LocalLambdaRotator({
        file: join(fixturesDir, "single_user_rotation.py"),
        runtime: "python",
        handlerName: "lambda_handler",
        functionArn: rotatorArn,
        timeoutMs: 60_000,
        interpreter: py.python,
        environment: {},
        path: process.env.PATH ?? "",
      });
      try {
        await fn.invoke(
          payload as Parameters<typeof fn.invoke>[0],
          contextFor(server.url, functionCredentials),
        );
        reply(200, {}, { "x-amz-executed-version": "$LATEST" });
      } catch (error) {
        reply(
          200,
          { errorType: "Exception", errorMessage: (error as Error).message },
          { "x-amz-function-error": "Unhandled" },
        );
      }
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    invocations,
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}

describe("AWS Lambda rotator (against a stand-in of the Invoke API)", { skip: py.skip }, () => {
  before(async () => {
    server = await startServerProcess();
    admin = adminClient(server.url);
    standIn = await startStandIn();
    home = mkdtempSync(join(tmpdir(), "coffer-aws-lambda-"));
    writeFileSync(
      join(home, "rotators.json"),
      JSON.stringify({
        [rotatorArn]: { awsLambda: { endpoint: standIn.url } },
        [failingArn]: { awsLambda: { endpoint: standIn.url, region: "us-east-1" }, timeoutSeconds: 60 },
        "arn:aws:lambda:us-east-1:123456789012:function:absent": { awsLambda: { endpoint: standIn.url } },
      }),
    );
  });
  after(async () => {
    admin?.destroy();
    await standIn?.close();
    await server?.stop();
    server?.cleanup();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  test("rotators.json's awsLambda entry invokes the function by ARN, signed, once per step", async () => {
    const arn = await createSecret(admin, `aws-lambda/db-${randomUUID().slice(0, 6)}`, "initial");
    const own = await createUserWithPolicy(
      server.url,
      `fn-${randomUUID().slice(0, 6)}`,
      JSON.parse(rotationPolicy(arn)),
    );
    functionCredentials = { ...own, expiresAt: new Date(Date.now() + 3_600_000) };
    const resolver = loadRotatorResolver({
      home,
      env: { AWS_ACCESS_KEY_ID: awsKey.accessKeyId, AWS_SECRET_ACCESS_KEY: awsKey.secretAccessKey },
    });
    const rotator = resolver.resolve(rotatorArn);
    assert.ok(rotator instanceof AwsLambdaRotator);
    assert.equal(rotator.description, "aws lambda stand-in-rotator");
    const token = randomUUID();
    // The issued credentials stay in Coffer: the remote function has its own.
    const issued = {
      accessKeyId: "ASIANOTSENT000000000",
      secretAccessKey: "CANARY-not-sent",
      sessionToken: "CANARY-not-sent-token",
      expiresAt: new Date(),
    };
    for (const step of steps)
      await rotator.invoke(stepEvent(step, arn, token), contextFor(server.url, issued));
    assert.deepEqual((await stagesOf(admin, arn))[token], ["AWSCURRENT"]);
    const mine = standIn.invocations.filter((i) => (i.payload as { SecretId: string }).SecretId === arn);
    assert.deepEqual(
      mine.map((i) => [i.name, (i.payload as { Step: string }).Step]),
      steps.map((s) => [rotatorArn, s]),
    );
    assert.deepEqual(Object.keys(mine[0]?.payload as object), [
      "Step",
      "SecretId",
      "ClientRequestToken",
      "RotationToken",
    ]);
    assert.ok(!JSON.stringify(standIn.invocations).includes("CANARY-not-sent"));
  });

  test("a function error and an unknown function fail the step with what Lambda said", async () => {
    const resolver = loadRotatorResolver({
      home,
      env: { AWS_ACCESS_KEY_ID: awsKey.accessKeyId, AWS_SECRET_ACCESS_KEY: awsKey.secretAccessKey },
    });
    const context = contextFor(server.url, { ...awsKey, expiresAt: new Date() });
    const failed = await resolver
      .resolve(failingArn)
      ?.invoke(stepEvent("setSecret", "arn:x", randomUUID()), context)
      .then(
        () => assert.fail(),
        (e: unknown) => e,
      );
    assert.ok(failed instanceof RotationStepError);
    assert.equal(
      failed.message,
      "setSecret failed in aws lambda failing-rotator: RuntimeError: setSecret refused on purpose",
    );
    await assert.rejects(
      resolver
        .resolve("arn:aws:lambda:us-east-1:123456789012:function:absent")
        ?.invoke(stepEvent("createSecret", "arn:x", randomUUID()), context) ?? Promise.resolve(),
      /^RotationStepError: createSecret failed in aws lambda absent: ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:123456789012:function:absent$/,
    );
    const wrongKey = loadRotatorResolver({
      home,
      env: {
        AWS_ACCESS_KEY_ID: awsKey.accessKeyId,
        AWS_SECRET_ACCESS_KEY: "wrong-secret-key-0000000000000000000000",
      },
    });
    await assert.rejects(
      wrongKey.resolve(failingArn)?.invoke(stepEvent("createSecret", "arn:x", randomUUID()), context) ??
        Promise.resolve(),
      /createSecret failed in aws lambda failing-rotator: InvalidSignatureException/,
    );
  });
});
