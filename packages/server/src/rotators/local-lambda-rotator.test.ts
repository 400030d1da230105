import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { RotationStepError } from "../domain/rotation/rotator.js";
import { requireTool } from "../testing/real-clients.js";
import { type ServerProcess, startServerProcess } from "../testing/server-process.js";
import { type LocalLambdaOptions, LocalLambdaRotator } from "./local-lambda-rotator.js";
import {
  adminClient,
  contextFor,
  createSecret,
  currentValue,
  fixturesDir,
  rotationCredentialsVia,
  stagesOf,
  stepEvent,
  steps,
} from "./rotation-test-kit.test-helper.js";

/**
 * Lambda rotation functions run locally as child processes against a real server process, with
 * credentials that hold only the rotation policy: the four steps do what AWS's contract says, a
 * failing step reports the function's exception, a hung one is stopped, and nothing the function
 * printed — a secret value included — reaches a log, an error or the server's output.
 */

const py = requireTool("boto3");
const functionArn = "arn:aws:lambda:us-east-1:123456789012:function:local-rotator";
let server: ServerProcess;
let admin: SecretsManagerClient;
const outputs: Array<{ step: string; stdoutBytes: number; stderrBytes: number }> = [];

function pythonRotator(
  environment: Record<string, string> = {},
  overrides: Partial<LocalLambdaOptions> = {},
) {
  return new LocalLambdaRotator({
    file: join(fixturesDir, "single_user_rotation.py"),
    runtime: "python",
    handlerName: "lambda_handler",
    functionArn,
    timeoutMs: 60_000,
    interpreter: py.python,
    environment,
    path: process.env.PATH ?? "",
    onOutput: (info) => outputs.push(info),
    ...overrides,
  });
}

describe("local Lambda rotator", { skip: py.skip }, () => {
  before(async () => {
    server = await startServerProcess();
    admin = adminClient(server.url);
  });
  after(async () => {
    admin?.destroy();
    await server?.stop();
    server?.cleanup();
  });

  test("a Python function runs the four steps: AWSPENDING created, then AWSCURRENT moved, AWSPREVIOUS follows", async () => {
    const canary = `CANARY-lambda-${randomUUID()}`;
    const arn = await createSecret(admin, `lambda/python-${randomUUID().slice(0, 6)}`, canary);
    const [firstVersion] = Object.keys(await stagesOf(admin, arn));
    const credentials = await rotationCredentialsVia(server, arn);
    const token = randomUUID();
    // The careless function prints the values it reads: they must go nowhere.
    const rotator = pythonRotator({ PRINT_VALUES: "1" });
    outputs.length = 0;

    await rotator.invoke(stepEvent("createSecret", arn, token), contextFor(server.url, credentials));
    const afterCreate = await stagesOf(admin, arn);
    assert.deepEqual(afterCreate[token], ["AWSPENDING"]);
    assert.deepEqual(afterCreate[firstVersion as string], ["AWSCURRENT"]);
    assert.equal(await currentValue(admin, arn), canary, "createSecret leaves AWSCURRENT alone");

    for (const step of steps.slice(1)) {
      await rotator.invoke(stepEvent(step, arn, token), contextFor(server.url, credentials));
    }
    const done = await stagesOf(admin, arn);
    assert.deepEqual(done[token], ["AWSCURRENT"]);
    assert.deepEqual(done[firstVersion as string], ["AWSPREVIOUS"]);
    assert.notEqual(await currentValue(admin, arn), canary);

    assert.equal(outputs.length, 4);
    assert.ok((outputs[0]?.stdoutBytes ?? 0) > canary.length, "the function did print (and it was dropped)");
    assert.ok(!server.output().includes(canary), "no value in the server's output");
  });

  test("a Node.js module exporting handler(event) runs the four steps", async () => {
    const arn = await createSecret(admin, `lambda/node-${randomUUID().slice(0, 6)}`, "node-initial");
    const credentials = await rotationCredentialsVia(server, arn);
    const token = randomUUID();
    const rotator = new LocalLambdaRotator({
      file: join(
        fixturesDir,
        "..",
        "..",
        "..",
        "dist",
        "rotators",
        "fixtures",
        "node-rotation-handler.test-helper.js",
      ),
      runtime: "node",
      handlerName: "handler",
      functionArn,
      timeoutMs: 60_000,
      interpreter: process.execPath,
      environment: {},
      path: process.env.PATH ?? "",
    });
    for (const step of steps)
      await rotator.invoke(stepEvent(step, arn, token), contextFor(server.url, credentials));
    assert.deepEqual((await stagesOf(admin, arn))[token], ["AWSCURRENT"]);
    assert.notEqual(await currentValue(admin, arn), "node-initial");
  });

  test("a failing step rejects with RotationStepError naming the step, the exception type and its message", async () => {
    const canary = `CANARY-fail-${randomUUID()}`;
    const arn = await createSecret(admin, `lambda/fail-${randomUUID().slice(0, 6)}`, canary);
    const credentials = await rotationCredentialsVia(server, arn);
    const token = randomUUID();
    const rotator = pythonRotator({ FAIL_STEP: "testSecret", PRINT_VALUES: "1" });
    await rotator.invoke(stepEvent("createSecret", arn, token), contextFor(server.url, credentials));
    await rotator.invoke(stepEvent("setSecret", arn, token), contextFor(server.url, credentials));
    const error = await rotator
      .invoke(stepEvent("testSecret", arn, token), contextFor(server.url, credentials))
      .then(
        () => assert.fail("testSecret should fail"),
        (e: unknown) => e,
      );
    assert.ok(error instanceof RotationStepError);
    assert.equal(error.step, "testSecret");
    assert.equal(
      error.message,
      `testSecret failed in local lambda single_user_rotation.py (python): RuntimeError: testSecret refused on purpose for ${arn}`,
    );
    assert.ok(!error.message.includes(canary));
    const stages = await stagesOf(admin, arn);
    assert.deepEqual(stages[token], ["AWSPENDING"], "AWSPENDING stays for the next attempt");
    assert.equal(await currentValue(admin, arn), canary, "AWSCURRENT untouched");
  });

  test("the function can touch only its own secret: another secret is AccessDenied", async () => {
    const arn = await createSecret(admin, `lambda/mine-${randomUUID().slice(0, 6)}`, "mine");
    const other = await createSecret(
      admin,
      `lambda/other-${randomUUID().slice(0, 6)}`,
      "CANARY-other-secret",
    );
    const credentials = await rotationCredentialsVia(server, arn);
    const error = await pythonRotator()
      .invoke(stepEvent("createSecret", other, randomUUID()), contextFor(server.url, credentials))
      .then(
        () => assert.fail("should be denied"),
        (e: unknown) => e as Error,
      );
    assert.match(
      error.message,
      /createSecret failed in .*: ClientError: An error occurred \(AccessDeniedException\) when calling the GetSecretValue operation/,
    );
    assert.ok(!error.message.includes("CANARY-other-secret"));
  });

  test("the child sees Lambda's environment pointed at Coffer and nothing of the server's", async () => {
    const arn = await createSecret(admin, `lambda/env-${randomUUID().slice(0, 6)}`, "env");
    const credentials = await rotationCredentialsVia(server, arn);
    // The probe function fails on purpose with the names of the variables it sees as its message.
    process.env.COFFER_MASTER_KEY_PROBE = "must-not-reach-the-function";
    const error = await pythonRotator({}, { file: join(fixturesDir, "environment_probe.py") })
      .invoke(stepEvent("createSecret", arn, randomUUID()), contextFor(server.url, credentials))
      .then(
        () => assert.fail("the probe always fails"),
        (e: unknown) => e as Error,
      )
      .finally(() => {
        delete process.env.COFFER_MASTER_KEY_PROBE;
      });
    const seen = (/names: (.*)$/.exec(error.message)?.[1] ?? "").split(",");
    for (const name of [
      "AWS_ENDPOINT_URL_SECRETS_MANAGER",
      "AWS_ENDPOINT_URL",
      "SECRETS_MANAGER_ENDPOINT",
      "AWS_REGION",
      "AWS_DEFAULT_REGION",
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
    ]) {
      assert.ok(seen.includes(name), `${name} is set`);
    }
    assert.ok(!seen.some((name) => name.startsWith("COFFER_")), `no COFFER_ variable: ${seen.join(" ")}`);
    assert.ok(!seen.includes("HOME"));
    assert.match(error.message, /endpoint=http:\/\/127\.0\.0\.1:\d+ region=us-east-1/);
  });

  test("a step that runs past its timeout is stopped, with its process group", async () => {
    const arn = await createSecret(admin, `lambda/hang-${randomUUID().slice(0, 6)}`, "hang");
    const credentials = await rotationCredentialsVia(server, arn);
    const error = await pythonRotator({ HANG_STEP: "setSecret" }, { timeoutMs: 1_000 })
      .invoke(stepEvent("setSecret", arn, randomUUID()), contextFor(server.url, credentials))
      .then(
        () => assert.fail("should time out"),
        (e: unknown) => e as Error,
      );
    assert.ok(error instanceof RotationStepError);
    assert.equal(
      error.message,
      "setSecret failed in local lambda single_user_rotation.py (python): timed out after 1 s (the function's timeout)",
    );
  });

  test("the rotation's own signal stops a step", async () => {
    const arn = await createSecret(admin, `lambda/abort-${randomUUID().slice(0, 6)}`, "abort");
    const credentials = await rotationCredentialsVia(server, arn);
    const controller = new AbortController();
    const running = pythonRotator({ HANG_STEP: "setSecret" }).invoke(
      stepEvent("setSecret", arn, randomUUID()),
      contextFor(server.url, credentials, controller.signal),
    );
    controller.abort();
    await assert.rejects(running, /setSecret failed in .*: the rotation's time ran out/);
  });

  test("a missing handler function and a missing interpreter are step errors, not crashes", async () => {
    const arn = await createSecret(admin, `lambda/missing-${randomUUID().slice(0, 6)}`, "x");
    const credentials = await rotationCredentialsVia(server, arn);
    await assert.rejects(
      pythonRotator({}, { handlerName: "no_such_handler" }).invoke(
        stepEvent("createSecret", arn, randomUUID()),
        contextFor(server.url, credentials),
      ),
      /createSecret failed in .*: AttributeError: single_user_rotation.py has no function no_such_handler/,
    );
    await assert.rejects(
      pythonRotator({}, { interpreter: "/nonexistent/python3" }).invoke(
        stepEvent("createSecret", arn, randomUUID()),
        contextFor(server.url, credentials),
      ),
      /createSecret failed in .*: could not start python3 \(ENOENT\)/,
    );
  });
});
