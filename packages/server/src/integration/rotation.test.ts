import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { adminCall } from "../testing/admin-call.js";
import { requireTool } from "../testing/real-clients.js";
import { runPythonJson } from "../testing/run-python.js";
import { type ServerProcess, startServerProcess } from "../testing/server-process.js";
import { type SignedCaller, secretsManagerTarget, signedCaller } from "../testing/signed-call.js";

/**
 * Rotation end to end against a real server process, with the built-in random-password rotator
 * (RotationLambdaARN arn:coffer:rotation:::builtin/random-password), through boto3 and the aws CLI.
 * Rotation is asynchronous (as in AWS): the clients wait for it by reading DescribeSecret until
 * LastRotatedDate appears — polling the event, bounded by a deadline, not a fixed sleep.
 */

const builtin = "arn:coffer:rotation:::builtin/random-password";
const boto3 = requireTool("boto3");
const cli = requireTool("aws");

let server: ServerProcess;
let home: string;
let raw: SignedCaller;

before(async () => {
  server = await startServerProcess();
  home = mkdtempSync(join(tmpdir(), "coffer-rotation-home-"));
  raw = signedCaller(server.url);
});
after(async () => {
  raw.close();
  await server.stop();
  server.cleanup();
  rmSync(home, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: script output is asserted on field by field.
function runPython(script: string): Promise<any> {
  return runPythonJson(boto3.python, script, { ...server.clientEnv, HOME: home });
}

// biome-ignore lint/suspicious/noExplicitAny: CLI output is asserted on field by field.
function aws(operation: string, args: string[] = []): Promise<any> {
  const argv = ["secretsmanager", operation, ...args, "--endpoint-url", server.url, "--output", "json"];
  const env = {
    ...server.clientEnv,
    PATH: process.env.PATH ?? "",
    HOME: home,
    AWS_PAGER: "",
    AWS_MAX_ATTEMPTS: "1",
  };
  return new Promise((resolve, reject) => {
    execFile("aws", argv, { env, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`aws ${operation} failed: ${stderr}`));
      resolve(stdout.trim() === "" ? {} : JSON.parse(stdout));
    });
  });
}

describe("rotation through boto3", { skip: boto3.skip }, () => {
  test("rotate_secret with the built-in rotator: the new value is current, the old one AWSPREVIOUS", async () => {
    const out = await runPython(`
import json, os, time
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
sm = boto3.client("secretsmanager", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"],
                  config=Config(retries={"total_max_attempts": 1}))
created = sm.create_secret(Name="rot/db", SecretString=json.dumps({"username": "app", "password": "old-password"}))
rotated = sm.rotate_secret(SecretId="rot/db", RotationLambdaARN="${builtin}",
                           RotationRules={"AutomaticallyAfterDays": 30},
                           ExternalSecretRotationMetadata=[{"Key": "PasswordLength", "Value": "24"},
                                                           {"Key": "ExcludePunctuation", "Value": "true"}])
deadline = time.time() + 30
while True:
    described = sm.describe_secret(SecretId="rot/db")
    if "LastRotatedDate" in described or time.time() > deadline:
        break
    time.sleep(0.05)
current = sm.get_secret_value(SecretId="rot/db")
previous = sm.get_secret_value(SecretId="rot/db", VersionStage="AWSPREVIOUS")
listed = [s for s in sm.list_secrets()["SecretList"] if s["Name"] == "rot/db"][0]
try:
    sm.rotate_secret(SecretId="rot/db", RotationLambdaARN="arn:aws:lambda:us-east-1:123456789012:function:nowhere")
    unknown = None
except ClientError as e:
    unknown = {"code": e.response["Error"]["Code"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
after_unknown = sm.describe_secret(SecretId="rot/db")
cancelled = sm.cancel_rotate_secret(SecretId="rot/db")
after_cancel = sm.describe_secret(SecretId="rot/db")
print(json.dumps({
    "createdVersion": created["VersionId"], "rotated": {k: rotated[k] for k in ("ARN", "Name", "VersionId")},
    "described": {k: described.get(k) for k in ("RotationEnabled", "RotationLambdaARN", "RotationRules",
                  "ExternalSecretRotationMetadata", "VersionIdsToStages")},
    "lastRotated": described.get("LastRotatedDate").timestamp() if "LastRotatedDate" in described else None,
    "nextRotation": described.get("NextRotationDate").timestamp() if "NextRotationDate" in described else None,
    "current": {"VersionId": current["VersionId"], "SecretString": current["SecretString"], "VersionStages": current["VersionStages"]},
    "previous": {"VersionId": previous["VersionId"], "SecretString": previous["SecretString"]},
    "listed": {k: listed.get(k) for k in ("RotationEnabled", "RotationLambdaARN", "RotationRules")},
    "listedHasDates": ["LastRotatedDate" in listed, "NextRotationDate" in listed],
    "unknown": unknown,
    "unknownChangedNothing": after_unknown["RotationLambdaARN"] == "${builtin}" and after_unknown["VersionIdsToStages"] == described["VersionIdsToStages"],
    "cancelled": {k: cancelled.get(k) for k in ("Name", "VersionId")},
    "afterCancel": [after_cancel["RotationEnabled"], "NextRotationDate" in after_cancel, "LastRotatedDate" in after_cancel,
                    after_cancel.get("RotationLambdaARN"), after_cancel.get("RotationRules")],
}))
`);
    assert.equal(out.rotated.Name, "rot/db");
    assert.ok(out.lastRotated, "LastRotatedDate appears once the rotation finished");
    assert.equal(out.described.RotationEnabled, true);
    assert.equal(out.described.RotationLambdaARN, builtin);
    assert.deepEqual(out.described.RotationRules, { AutomaticallyAfterDays: 30 });
    assert.deepEqual(out.described.ExternalSecretRotationMetadata, [
      { Key: "PasswordLength", Value: "24" },
      { Key: "ExcludePunctuation", Value: "true" },
    ]);
    assert.deepEqual(out.described.VersionIdsToStages, {
      [out.rotated.VersionId]: ["AWSCURRENT"],
      [out.createdVersion]: ["AWSPREVIOUS"],
    });
    const day = 86_400;
    assert.equal(out.nextRotation, (Math.floor(out.lastRotated / day) + 30) * day);
    assert.equal(out.current.VersionId, out.rotated.VersionId);
    const value = JSON.parse(out.current.SecretString);
    assert.equal(value.username, "app");
    assert.match(value.password, /^[A-Za-z0-9]{24}$/);
    assert.deepEqual(JSON.parse(out.previous.SecretString), { username: "app", password: "old-password" });
    assert.equal(out.previous.VersionId, out.createdVersion);
    assert.deepEqual(out.listed, {
      RotationEnabled: true,
      RotationLambdaARN: builtin,
      RotationRules: { AutomaticallyAfterDays: 30 },
    });
    assert.deepEqual(out.listedHasDates, [true, true]);
    assert.deepEqual(out.unknown, { code: "ResourceNotFoundException", status: 400 });
    assert.equal(out.unknownChangedNothing, true);
    assert.deepEqual(out.cancelled, { Name: "rot/db", VersionId: null });
    assert.deepEqual(out.afterCancel, [false, false, false, builtin, { AutomaticallyAfterDays: 30 }]);

    // Coffer's own DescribeSecret member (SDKs drop it): how the last run went.
    const described = await raw.call(
      secretsManagerTarget("DescribeSecret"),
      JSON.stringify({ SecretId: "rot/db" }),
    );
    const status = JSON.parse(described.body).CofferRotationStatus;
    assert.equal(status.ClientRequestToken, out.rotated.VersionId);
    assert.equal(status.Step, "finishSecret");
    assert.equal(status.Status, "succeeded");

    // Every step and its outcome is in the audit trail, as service events; the trail still verifies.
    const page = (await adminCall(server.url, "QueryAuditEvents", {
      EventName: "RotationStep",
      SortOrder: "asc",
      MaxResults: 100,
    })) as {
      Events: Array<{
        Event: { additionalEventData: Record<string, string>; resources: Array<{ ARN: string }> };
      }>;
    };
    const steps = page.Events.map((e) => e.Event.additionalEventData)
      .filter((d) => d.clientRequestToken === out.rotated.VersionId)
      .map((d) => `${d.step}:${d.outcome}`);
    assert.deepEqual(steps, [
      "createSecret:started",
      "createSecret:succeeded",
      "setSecret:started",
      "setSecret:succeeded",
      "testSecret:started",
      "testSecret:succeeded",
      "finishSecret:started",
      "finishSecret:succeeded",
    ]);
    assert.equal((await adminCall(server.url, "VerifyAuditTrail", {})).Intact, true);
  });
});

describe("rotation through the aws CLI", { skip: cli.skip }, () => {
  test("rotate-secret with a cron schedule and window, --no-rotate-immediately, then a rotation", async () => {
    const created = await aws("create-secret", ["--name", "rot/cli", "--secret-string", "first"]);
    const configured = await aws("rotate-secret", [
      "--secret-id",
      "rot/cli",
      "--rotation-lambda-arn",
      builtin,
      "--rotation-rules",
      JSON.stringify({ ScheduleExpression: "cron(0 4 ? * SUN *)", Duration: "2h" }),
      "--no-rotate-immediately",
    ]);
    assert.equal(configured.Name, "rot/cli");
    // The configuration test (testSecret on a copy) leaves no version behind once it finished.
    let described = await aws("describe-secret", ["--secret-id", "rot/cli"]);
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
      if (Object.keys(described.VersionIdsToStages).length === 1) break;
      described = await aws("describe-secret", ["--secret-id", "rot/cli"]);
    }
    assert.deepEqual(described.VersionIdsToStages, { [created.VersionId]: ["AWSCURRENT"] });
    assert.equal(described.RotationEnabled, true);
    assert.deepEqual(described.RotationRules, { ScheduleExpression: "cron(0 4 ? * SUN *)", Duration: "2h" });
    assert.equal(described.LastRotatedDate, undefined);
    // The CLI prints timestamps as received (epoch seconds) or as ISO text, by its version and config.
    const when = described.NextRotationDate;
    const next = new Date(typeof when === "number" ? when * 1000 : when);
    assert.equal(next.getUTCDay(), 0);
    assert.equal(next.getUTCHours(), 4);

    const rotated = await aws("rotate-secret", ["--secret-id", "rot/cli"]);
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
      described = await aws("describe-secret", ["--secret-id", "rot/cli"]);
      if (described.LastRotatedDate !== undefined) break;
    }
    assert.ok(described.LastRotatedDate);
    const current = await aws("get-secret-value", ["--secret-id", "rot/cli"]);
    assert.equal(current.VersionId, rotated.VersionId);
    assert.notEqual(current.SecretString, "first");
    assert.equal(current.SecretString.length, 32);
    const previous = await aws("get-secret-value", [
      "--secret-id",
      "rot/cli",
      "--version-stage",
      "AWSPREVIOUS",
    ]);
    assert.equal(previous.SecretString, "first");
  });
});
