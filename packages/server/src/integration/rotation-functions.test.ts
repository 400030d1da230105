import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { openAuditTrail } from "../app/audit-trail.js";
import { fixturesDir } from "../rotators/rotation-test-kit.test-helper.js";
import { adminCall } from "../testing/admin-call.js";
import { requireTool } from "../testing/real-clients.js";
import { runPythonJson } from "../testing/run-python.js";
import { type ServerProcess, startServerProcess, testAdmin } from "../testing/server-process.js";

/**
 * A rotation function written to AWS's four-step contract, configured in the data folder's
 * `rotators.json` and run by RotateSecret on a real server process, driven through boto3: the
 * whole path a user takes (configuration, RotateSecret, the engine, the local Lambda runner, the
 * credentials the server issues for the run), not the rotator alone.
 */

const boto3 = requireTool("boto3");
const account = "123456789012";
const goodArn = `arn:aws:lambda:us-east-1:${account}:function:single-user`;
const failingArn = `arn:aws:lambda:us-east-1:${account}:function:fails-test`;
const oldCanary = "old-canary-Vq7Ze2LmR4";

let server: ServerProcess;
let home: string;
let pythonHome: string;

before(async () => {
  if (boto3.skip) return;
  home = mkdtempSync(join(tmpdir(), "coffer-rotation-functions-"));
  pythonHome = mkdtempSync(join(tmpdir(), "coffer-rotation-functions-py-"));
  const handler = join(fixturesDir, "single_user_rotation.py");
  writeFileSync(
    join(home, "rotators.json"),
    JSON.stringify({
      // A careless function: it prints the values it handles. They must go nowhere.
      [goodArn]: { handler, interpreter: boto3.python, environment: { PRINT_VALUES: "1" } },
      [failingArn]: { handler, interpreter: boto3.python, environment: { FAIL_STEP: "testSecret" } },
    }),
  );
  server = await startServerProcess({ home, env: { COFFER_ACCOUNT_ID: account } });
});
after(async () => {
  await server?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
  if (pythonHome) rmSync(pythonHome, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: script output is asserted on field by field.
function runPython(script: string): Promise<any> {
  return runPythonJson(boto3.python, script, { ...server.clientEnv, HOME: pythonHome });
}

/** Python that waits (polling DescribeSecret against a deadline) until `done(described)` holds. */
const waitUntil = (secret: string, condition: string) => `
deadline = time.time() + 60
while True:
    described = sm.describe_secret(SecretId="${secret}")
    if (${condition}) or time.time() > deadline:
        break
    time.sleep(0.05)
`;

const preamble = `
import json, os, time
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
sm = boto3.client("secretsmanager", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"],
                  config=Config(retries={"total_max_attempts": 1}))
`;

describe("a rotation function from rotators.json, run by RotateSecret", { skip: boto3.skip }, () => {
  test("rotates: the function's new password is AWSCURRENT, the old one AWSPREVIOUS, under issued credentials", async () => {
    const out = await runPython(`${preamble}
created = sm.create_secret(Name="fn/db", SecretString="${oldCanary}")
rotated = sm.rotate_secret(SecretId="fn/db", RotationLambdaARN="${goodArn}", RotationRules={"AutomaticallyAfterDays": 7})
${waitUntil("fn/db", '"LastRotatedDate" in described')}
current = sm.get_secret_value(SecretId="fn/db")
previous = sm.get_secret_value(SecretId="fn/db", VersionStage="AWSPREVIOUS")
print(json.dumps({"created": created["VersionId"], "token": rotated["VersionId"],
    "rotated": "LastRotatedDate" in described, "stages": described["VersionIdsToStages"],
    "current": [current["VersionId"], current["SecretString"]], "previous": [previous["VersionId"], previous["SecretString"]]}))
`);
    assert.equal(out.rotated, true, "the rotation finished");
    assert.deepEqual(out.stages, { [out.token]: ["AWSCURRENT"], [out.created]: ["AWSPREVIOUS"] });
    assert.equal(out.current[0], out.token);
    assert.notEqual(out.current[1], oldCanary);
    assert.ok(out.current[1].length >= 20, "the function's random password");
    assert.deepEqual(out.previous, [out.created, oldCanary]);

    // The function wrote the new value with the credentials the server issued for this run.
    const page = (await adminCall(server.url, "QueryAuditEvents", {
      EventName: "PutSecretValue",
      SortOrder: "asc",
      MaxResults: 100,
    })) as { Events: Array<{ Event: { userIdentity: { arn: string; type: string } } }> };
    // (A change has two events, its intent and its outcome: ADR 0005.)
    const writers = new Set(page.Events.map((e) => e.Event.userIdentity.arn));
    assert.equal(writers.size, 1, [...writers].join(", "));
    assert.match([...writers][0] as string, /:assumed-role\/CofferRotation\/rotation-/);
    assert.equal((await adminCall(server.url, "VerifyAuditTrail", {})).Intact, true);

    // What the function printed (both values) reached neither the server's output nor its trail.
    const output = server.output();
    const log = await openAuditTrail({ COFFER_HOME: home, ...server.storeEnv });
    const trail = JSON.stringify(await log.readFrom(1, 100_000).finally(() => log.close()));
    for (const value of [oldCanary, out.current[1] as string]) {
      assert.ok(!output.includes(value), "a value the function printed reached the server's output");
      assert.ok(!trail.includes(value), "a value reached the audit trail");
    }
  });

  test("a failing testSecret leaves AWSCURRENT and its value alone, AWSPENDING in place, and says why", async () => {
    const started = await runPython(`${preamble}
created = sm.create_secret(Name="fn/fails", SecretString="stays-current")
rotated = sm.rotate_secret(SecretId="fn/fails", RotationLambdaARN="${failingArn}")
print(json.dumps({"created": created["VersionId"], "token": rotated["VersionId"]}))
`);
    // The run's outcome is in Coffer's own DescribeSecret member (SDKs drop it): wait for it.
    const status = await waitForStatus("fn/fails");
    assert.equal(status.Status, "failed");
    assert.equal(status.Step, "testSecret");
    assert.match(
      status.Message,
      /testSecret failed in local lambda single_user_rotation\.py \(python\): RuntimeError/,
    );
    const out = await runPython(`${preamble}
current = sm.get_secret_value(SecretId="fn/fails")
stages = sm.describe_secret(SecretId="fn/fails")["VersionIdsToStages"]
try:
    sm.rotate_secret(SecretId="fn/fails", RotationLambdaARN="${failingArn}", ClientRequestToken="another-token-0000000000000000000000")
    again = None
except ClientError as e:
    again = e.response["Error"]["Code"]
print(json.dumps({"current": [current["VersionId"], current["SecretString"]], "stages": stages, "again": again}))
`);
    assert.deepEqual(out.current, [started.created, "stays-current"]);
    assert.deepEqual(out.stages, { [started.created]: ["AWSCURRENT"], [started.token]: ["AWSPENDING"] });
    // A new rotation while AWSPENDING sits on another version is refused, as AWS refuses it.
    assert.equal(out.again, "InvalidRequestException");
  });
});

async function waitForStatus(secret: string): Promise<{ Status: string; Step: string; Message: string }> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const described = (await adminCall(
      server.url,
      "DescribeSecret",
      { SecretId: secret },
      testAdmin,
      "secretsmanager.DescribeSecret",
    )) as {
      CofferRotationStatus?: { Status: string; Step: string; Message: string };
    };
    const status = described.CofferRotationStatus;
    if ((status && status.Status !== "running") || Date.now() > deadline) {
      assert.ok(status, "the rotation reported no status");
      return status;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}
