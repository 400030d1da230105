import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { rotationPolicy } from "../domain/identity/rotation-credentials.js";
import { RotationStepError } from "../domain/rotation/rotator.js";
import { createUserWithPolicy } from "../testing/admin-call.js";
import { requireTool } from "../testing/real-clients.js";
import { type ServerProcess, startServerProcess, testRegion } from "../testing/server-process.js";
import {
  adminClient,
  contextFor,
  createSecret,
  currentValue,
  fixturesDir,
  stagesOf,
  stepEvent,
  steps,
} from "./rotation-test-kit.test-helper.js";
import { WebhookRotator } from "./webhook-rotator.js";
import { signatureHeader, timestampHeader, verifyWebhook } from "./webhook-signature.js";

/**
 * The webhook rotator against a Python receiver written with the standard library and boto3, which
 * checks Coffer's signature and does each step with its own least-privilege key on a real server
 * process; and against Node listeners for the wire format and the failures (status, timeout, no
 * listener, redirect).
 */

const py = requireTool("boto3");
const functionArn = "arn:aws:lambda:us-east-1:123456789012:function:webhook-rotator";
/** The webhook is not given the rotation's credentials: these must never be sent. */
const unusedCredentials = {
  accessKeyId: "ASIAUNUSEDUNUSED0000",
  secretAccessKey: "CANARY-unused-secret-access-key",
  sessionToken: "CANARY-unused-session-token",
  expiresAt: new Date(Date.now() + 60_000),
};
let server: ServerProcess;
let admin: SecretsManagerClient;

function rotator(url: string, secret: Buffer, timeoutMs = 30_000) {
  return new WebhookRotator({ url: new URL(url), secret, timeoutMs, functionArn });
}

/** A local HTTP listener for one test; `reply` decides each answer. */
async function listener(
  reply: (
    request: IncomingMessage,
    body: string,
  ) => { status: number; body?: string; headers?: Record<string, string> } | "hang",
) {
  const seen: Array<{ headers: IncomingMessage["headers"]; body: string }> = [];
  const http: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      seen.push({ headers: request.headers, body });
      const answer = reply(request, body);
      if (answer === "hang") return;
      response.writeHead(answer.status, answer.headers ?? {}).end(answer.body ?? "");
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/rotate?token=CANARY-query`;
  return {
    url,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

describe("webhook rotator", () => {
  before(async () => {
    server = await startServerProcess();
    admin = adminClient(server.url);
  });
  after(async () => {
    admin?.destroy();
    await server?.stop();
    server?.cleanup();
  });

  test("POSTs the step's event as JSON, signed over timestamp and body, without any credentials", async () => {
    const secret = randomBytes(32);
    const hook = await listener(() => ({ status: 204 }));
    try {
      const event = stepEvent(
        "createSecret",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf",
        randomUUID(),
      );
      await rotator(hook.url, secret).invoke(event, contextFor(server.url, unusedCredentials));
      const [delivery] = hook.seen;
      assert.ok(delivery);
      assert.deepEqual(JSON.parse(delivery.body), event);
      assert.equal(delivery.headers["content-type"], "application/json");
      assert.equal(delivery.headers["x-coffer-rotation-step"], "createSecret");
      assert.equal(delivery.headers["x-coffer-rotation-lambda-arn"], functionArn);
      const check = (key: Buffer, body: string) =>
        verifyWebhook({
          secret: key,
          timestamp: delivery.headers[timestampHeader] as string,
          signature: delivery.headers[signatureHeader] as string,
          body,
          nowSeconds: Math.floor(Date.now() / 1000),
        });
      assert.ok(check(secret, delivery.body), "the signature verifies");
      assert.ok(!check(randomBytes(32), delivery.body), "not under another secret");
      assert.ok(
        !check(secret, delivery.body.replace("createSecret", "finishSecret")),
        "not for another body",
      );
      const wire = JSON.stringify(delivery);
      assert.ok(!wire.includes("CANARY-unused"), "no credentials sent");
    } finally {
      await hook.close();
    }
  });

  test("a Python receiver (standard library + boto3, its own least-privilege key) rotates the secret", {
    skip: py.skip,
  }, async () => {
    const canary = `CANARY-webhook-${randomUUID()}`;
    const arn = await createSecret(admin, `webhook/db-${randomUUID().slice(0, 6)}`, canary);
    const [firstVersion] = Object.keys(await stagesOf(admin, arn));
    const own = await createUserWithPolicy(
      server.url,
      `webhook-${randomUUID().slice(0, 6)}`,
      JSON.parse(rotationPolicy(arn)),
    );
    const secret = randomBytes(32).toString("hex");
    const receiver = await startReceiver({
      WEBHOOK_SECRET: secret,
      AWS_ACCESS_KEY_ID: own.accessKeyId,
      AWS_SECRET_ACCESS_KEY: own.secretAccessKey,
      FAIL_STEP: "none",
    });
    const failing = await startReceiver({
      WEBHOOK_SECRET: secret,
      AWS_ACCESS_KEY_ID: own.accessKeyId,
      AWS_SECRET_ACCESS_KEY: own.secretAccessKey,
      FAIL_STEP: "testSecret",
    });
    try {
      const token = randomUUID();
      const hook = rotator(`${receiver.url}/rotate`, Buffer.from(secret));
      await hook.invoke(stepEvent("createSecret", arn, token), contextFor(server.url, unusedCredentials));
      assert.deepEqual((await stagesOf(admin, arn))[token], ["AWSPENDING"]);

      const failed = await rotator(`${failing.url}/rotate`, Buffer.from(secret))
        .invoke(stepEvent("testSecret", arn, token), contextFor(server.url, unusedCredentials))
        .then(
          () => assert.fail("testSecret should fail"),
          (e: unknown) => e,
        );
      assert.ok(failed instanceof RotationStepError);
      assert.equal(
        failed.message,
        `testSecret failed at webhook ${failing.url}/rotate: it answered 500 Internal Server Error: RuntimeError: testSecret refused on purpose for ${arn}`,
      );

      const forged = await rotator(`${receiver.url}/rotate`, randomBytes(32))
        .invoke(stepEvent("finishSecret", arn, token), contextFor(server.url, unusedCredentials))
        .then(
          () => assert.fail("a wrong key is refused"),
          (e: Error) => e,
        );
      assert.match(
        forged.message,
        /finishSecret failed at webhook .*: it answered 401 Unauthorized: bad signature$/,
      );
      assert.equal(await currentValue(admin, arn), canary, "nothing moved by the refused call");

      for (const step of steps.slice(1))
        await hook.invoke(stepEvent(step, arn, token), contextFor(server.url, unusedCredentials));
      const stages = await stagesOf(admin, arn);
      assert.deepEqual(stages[token], ["AWSCURRENT"]);
      assert.deepEqual(stages[firstVersion as string], ["AWSPREVIOUS"]);
      assert.ok(!server.output().includes(canary));
      assert.ok(!failed.message.includes(canary) && !forged.message.includes(canary));
    } finally {
      await receiver.stop();
      await failing.stop();
    }
  });

  test("a reply that is not 2xx fails the step with the status and the start of the body", async () => {
    const hook = await listener(() => ({ status: 503, body: `busy ${"x".repeat(5000)}` }));
    const redirect = await listener(() => ({ status: 302, headers: { location: "http://127.0.0.1:1/" } }));
    try {
      const error = await rotator(hook.url, randomBytes(32))
        .invoke(stepEvent("setSecret", "arn:x", randomUUID()), contextFor(server.url, unusedCredentials))
        .then(
          () => assert.fail(),
          (e: Error) => e,
        );
      assert.match(
        error.message,
        /^setSecret failed at webhook http:\/\/127\.0\.0\.1:\d+\/rotate: it answered 503 Service Unavailable: busy x+…$/,
      );
      assert.ok(error.message.length < 450, "the body is trimmed");
      assert.ok(!error.message.includes("CANARY-query"), "the URL's query is not quoted");
      await assert.rejects(
        rotator(redirect.url, randomBytes(32)).invoke(
          stepEvent("setSecret", "arn:x", randomUUID()),
          contextFor(server.url, unusedCredentials),
        ),
        /it answered 302 Found$/,
      );
    } finally {
      await hook.close();
      await redirect.close();
    }
  });

  test("no reply within the timeout, the rotation's signal, or no listener fail the step", async () => {
    const hook = await listener(() => "hang");
    try {
      await assert.rejects(
        rotator(hook.url, randomBytes(32), 1_000).invoke(
          stepEvent("testSecret", "arn:x", randomUUID()),
          contextFor(server.url, unusedCredentials),
        ),
        (error: Error) =>
          error instanceof RotationStepError &&
          /testSecret failed at webhook .*: no reply within 1 s$/.test(error.message),
      );
      const controller = new AbortController();
      const running = rotator(hook.url, randomBytes(32)).invoke(
        stepEvent("testSecret", "arn:x", randomUUID()),
        contextFor(server.url, unusedCredentials, controller.signal),
      );
      controller.abort();
      await assert.rejects(running, /the rotation's time ran out$/);
    } finally {
      await hook.close();
    }
    await assert.rejects(
      rotator(hook.url, randomBytes(32)).invoke(
        stepEvent("testSecret", "arn:x", randomUUID()),
        contextFor(server.url, unusedCredentials),
      ),
      /could not reach it \(ECONNREFUSED\)$/,
    );
  });
});

/** The Python receiver, with the AWS environment pointed at the server; resolves once it listens. */
async function startReceiver(env: Record<string, string>) {
  const child: ChildProcess = spawn(py.python, [join(fixturesDir, "webhook_receiver.py")], {
    env: {
      ...server.clientEnv,
      PATH: process.env.PATH ?? "",
      AWS_ENDPOINT_URL_SECRETS_MANAGER: server.url,
      AWS_REGION: testRegion,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const match = /listening on (\d+)/.exec(output);
      if (match) resolve(`http://127.0.0.1:${match[1]}`);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    child.once("exit", (code) => reject(new Error(`receiver exited (${code}): ${output}`)));
  });
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}
