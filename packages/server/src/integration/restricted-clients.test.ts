import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { openAuditTrail } from "../app/audit-trail.js";
import { type AuditEvent, isIntent, isReadOnlyOperation, REDACTED } from "../audit/event.js";
import { type AdminCallError, adminCall, createUserWithPolicy } from "../testing/admin-call.js";
import { requireTool } from "../testing/real-clients.js";
import {
  type ServerProcess,
  startServerProcess,
  testAccountId,
  testAdmin,
  testRegion,
} from "../testing/server-process.js";

/**
 * A least-privilege user driven through the real `aws` CLI and boto3, then the audit trail of
 * what it did: every call once, attributed to the user and its key, denials marked as such, the
 * client named by its user agent, and no secret value anywhere in the trail.
 *
 * Each client's part is skipped (with the reason printed) when the tool is missing locally; in CI
 * (CI=true) `requireTool` throws instead. The audit part always runs and expects exactly the calls
 * of the clients that ran.
 */

const cli = requireTool("aws");
const py = requireTool("boto3");

const userName = "readonly";
const userArn = `arn:aws:iam::${testAccountId}:user/${userName}`;
const arnPrefix = `arn:aws:secretsmanager:${testRegion}:${testAccountId}:secret:`;
const canaryOne = "CANARY-ro-one-7c1d";
const canaryTwo = "CANARY-ro-two-4e9b";
/** Values the denied writes try to store: they must reach neither the secrets nor the trail. */
const canaryWrite = "CANARY-denied-write-b2f0";
const wrongSecretKey = "CANARY-wrong-secret-key-0000000000000000";

const readOnlyOne = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
      Resource: `${arnPrefix}ro/one-*`,
    },
  ],
};

let server: ServerProcess;
let home: string;
let user: { accessKeyId: string; secretAccessKey: string };
let roOneArn: string;

/** A Secrets Manager call as the test admin, signed by Node (not one of the clients under test). */
function asAdmin(operation: string, input: object) {
  return adminCall(server.url, operation, input, testAdmin, `secretsmanager.${operation}`);
}

/**
 * The message AWS gives when no identity policy allows an action: the resource as the caller named it
 * (no `on resource:` for `*`).
 */
function deniedMessage(action: string, resource?: string): string {
  const on = resource === undefined ? "" : ` on resource: ${resource}`;
  return `User: ${userArn} is not authorized to perform: secretsmanager:${action}${on} because no identity-based policy allows the secretsmanager:${action} action`;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The denied calls every client makes, by operation, each with the message it must get back. */
const deniedCalls = () => [
  { operation: "GetSecretValue", message: deniedMessage("GetSecretValue", "ro/two") },
  { operation: "PutSecretValue", message: deniedMessage("PutSecretValue", "ro/one") },
  { operation: "UpdateSecret", message: deniedMessage("UpdateSecret", "ro/one") },
  // The new secret's ARN has a random suffix: only the head of the message is known.
  {
    operation: "CreateSecret",
    message: `User: ${userArn} is not authorized to perform: secretsmanager:CreateSecret`,
  },
  { operation: "DeleteSecret", message: deniedMessage("DeleteSecret", "ro/one") },
  { operation: "TagResource", message: deniedMessage("TagResource", "ro/one") },
  { operation: "ListSecrets", message: deniedMessage("ListSecrets") },
];

before(async () => {
  server = await startServerProcess();
  home = mkdtempSync(join(tmpdir(), "coffer-restricted-home-"));
  roOneArn = String((await asAdmin("CreateSecret", { Name: "ro/one", SecretString: canaryOne })).ARN);
  await asAdmin("CreateSecret", { Name: "ro/two", SecretString: canaryTwo });
  assert.match(roOneArn, new RegExp(`^${escapeRegExp(arnPrefix)}ro/one-[A-Za-z0-9]{6}$`));
  user = await createUserWithPolicy(server.url, userName, readOnlyOne);
});
after(async () => {
  await server?.stop();
  server?.cleanup();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** Environment for a client acting as the readonly user (the server's clientEnv carries the admin). */
function userEnv(secretAccessKey = user.secretAccessKey): Record<string, string> {
  return {
    ...server.clientEnv,
    AWS_ACCESS_KEY_ID: user.accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    PATH: process.env.PATH ?? "",
    HOME: home,
    AWS_PAGER: "",
    AWS_MAX_ATTEMPTS: "1",
    PYTHONDONTWRITEBYTECODE: "1",
  };
}

interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

function run(command: string, argv: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      argv,
      { env, timeout: 30_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const status = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ status, stdout, stderr });
      },
    );
  });
}

/** `aws secretsmanager <operation> <args…>` as the readonly user; never throws on a non-zero exit. */
function aws(operation: string, args: string[] = [], secretAccessKey?: string): Promise<CliResult> {
  const argv = ["secretsmanager", operation, ...args, "--endpoint-url", server.url, "--output", "json"];
  return run("aws", argv, userEnv(secretAccessKey));
}

function assertCliFailed(result: CliResult, code: string, message?: string) {
  assert.ok(
    [254, 255].includes(result.status),
    `expected ${code}, exit code ${result.status}; stdout:\n${result.stdout}\nstderr:\n${result.stderr}`,
  );
  assert.match(result.stderr, new RegExp(`An error occurred \\(${code}\\)`), result.stderr);
  if (message !== undefined)
    assert.ok(result.stderr.includes(message), `${message}\nnot in:\n${result.stderr}`);
}

describe("the aws CLI as a read-only user", { skip: cli.skip }, () => {
  test("reads ro/one (get-secret-value, describe-secret) and is denied ro/two", async () => {
    const [one, described, two] = await Promise.all([
      aws("get-secret-value", ["--secret-id", "ro/one"]),
      aws("describe-secret", ["--secret-id", "ro/one"]),
      aws("get-secret-value", ["--secret-id", "ro/two"]),
    ]);
    assert.equal(one.status, 0, one.stderr);
    const value = JSON.parse(one.stdout);
    assert.equal(value.SecretString, canaryOne);
    assert.equal(value.ARN, roOneArn);
    assert.equal(described.status, 0, described.stderr);
    assert.equal(JSON.parse(described.stdout).ARN, roOneArn);
    assertCliFailed(two, "AccessDeniedException", deniedMessage("GetSecretValue", "ro/two"));
    assert.ok(
      two.stderr.includes(
        `An error occurred (AccessDeniedException) when calling the GetSecretValue operation: User: ${userArn} is not authorized to perform: secretsmanager:GetSecretValue on resource: ro/two`,
      ),
      two.stderr,
    );
    assert.ok(!two.stderr.includes(canaryTwo));
  });

  test("every write, create, delete, tag and list is denied", async () => {
    const attempts: Array<[string, string[]]> = [
      ["put-secret-value", ["--secret-id", "ro/one", "--secret-string", canaryWrite]],
      ["update-secret", ["--secret-id", "ro/one", "--secret-string", canaryWrite, "--description", "x"]],
      ["create-secret", ["--name", "ro/one-cli", "--secret-string", canaryWrite]],
      ["delete-secret", ["--secret-id", "ro/one", "--force-delete-without-recovery"]],
      ["tag-resource", ["--secret-id", "ro/one", "--tags", "Key=team,Value=cli"]],
      ["list-secrets", []],
    ];
    const results = await Promise.all(attempts.map(([operation, args]) => aws(operation, args)));
    const expected = deniedCalls().slice(1);
    results.forEach((result, i) => {
      const want = expected[i];
      assert.ok(want);
      assertCliFailed(result, "AccessDeniedException", want.message);
      assert.match(result.stderr, new RegExp(`when calling the ${want.operation} operation`));
    });
  });

  test("a wrong secret key for the user's key id is refused with InvalidSignatureException", async () => {
    assertCliFailed(
      await aws("get-secret-value", ["--secret-id", "ro/one"], wrongSecretKey),
      "InvalidSignatureException",
    );
  });
});

interface Outcome {
  ok: boolean;
  status: number;
  code?: string;
  message?: string;
  value?: string;
  arn?: string;
}

const botoScript = `
import json, os
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

def client(**kwargs):
    return boto3.client("secretsmanager", endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                        region_name=os.environ["AWS_REGION"], config=Config(retries={"total_max_attempts": 1}), **kwargs)

sm = client()
wrong = client(aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"], aws_secret_access_key=os.environ["WRONG_SECRET_KEY"])
canary = os.environ["CANARY_WRITE"]

def call(fn, **kwargs):
    try:
        r = fn(**kwargs)
        return {"ok": True, "status": r["ResponseMetadata"]["HTTPStatusCode"], "value": r.get("SecretString"), "arn": r.get("ARN")}
    except ClientError as e:
        return {"ok": False, "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
                "code": e.response["Error"]["Code"], "message": e.response["Error"].get("Message")}

out = {
    "getOne": call(sm.get_secret_value, SecretId="ro/one"),
    "describeOne": call(sm.describe_secret, SecretId="ro/one"),
    "GetSecretValue": call(sm.get_secret_value, SecretId="ro/two"),
    "PutSecretValue": call(sm.put_secret_value, SecretId="ro/one", SecretString=canary),
    "UpdateSecret": call(sm.update_secret, SecretId="ro/one", SecretString=canary, Description="x"),
    "CreateSecret": call(sm.create_secret, Name="ro/one-boto3", SecretString=canary),
    "DeleteSecret": call(sm.delete_secret, SecretId="ro/one", ForceDeleteWithoutRecovery=True),
    "TagResource": call(sm.tag_resource, SecretId="ro/one", Tags=[{"Key": "team", "Value": "boto3"}]),
    "ListSecrets": call(sm.list_secrets),
    "wrongKey": call(wrong.get_secret_value, SecretId="ro/one"),
}
print(json.dumps(out))
`;

describe("boto3 as a read-only user", { skip: py.skip }, () => {
  let out: Record<string, Outcome>;
  before(async () => {
    const result = await run(py.python, ["-c", botoScript], {
      ...userEnv(),
      WRONG_SECRET_KEY: wrongSecretKey,
      CANARY_WRITE: canaryWrite,
    });
    assert.equal(result.status, 0, `python failed:\n${result.stderr}\n${result.stdout}`);
    out = JSON.parse(result.stdout.trim().split("\n").pop() ?? "");
  });

  test("reads ro/one (get_secret_value, describe_secret)", () => {
    assert.deepEqual(out.getOne, { ok: true, status: 200, value: canaryOne, arn: roOneArn });
    assert.equal(out.describeOne?.ok, true, out.describeOne?.message);
    assert.equal(out.describeOne?.arn, roOneArn);
  });

  test("is denied ro/two and every write, create, delete, tag and list: AccessDeniedException, 400", () => {
    for (const { operation, message } of deniedCalls()) {
      const outcome = out[operation];
      assert.ok(outcome, operation);
      assert.equal(outcome.ok, false, `${operation} should have been denied`);
      assert.equal(outcome.code, "AccessDeniedException", `${operation}: ${outcome.code} ${outcome.message}`);
      assert.equal(outcome.status, 400, `${operation} status`);
      assert.ok(
        outcome.message?.startsWith(message),
        `${operation}: ${outcome.message}\nexpected: ${message}`,
      );
    }
  });

  test("a wrong secret key is refused with InvalidSignatureException, 403", () => {
    assert.equal(out.wrongKey?.code, "InvalidSignatureException", out.wrongKey?.message);
    assert.equal(out.wrongKey?.status, 403);
  });
});

describe("the denied calls changed nothing", () => {
  test("ro/one keeps its value, has no tags, is not deleted; no new secret exists", async () => {
    assert.equal((await asAdmin("GetSecretValue", { SecretId: "ro/one" })).SecretString, canaryOne);
    const described = await asAdmin("DescribeSecret", { SecretId: "ro/one" });
    assert.equal(described.DeletedDate, undefined);
    assert.equal(described.Description, undefined);
    assert.deepEqual(described.Tags ?? [], []);
    const listed = (await asAdmin("ListSecrets", {})) as { SecretList: Array<{ Name: string }> };
    assert.deepEqual(listed.SecretList.map((s) => s.Name).sort(), ["ro/one", "ro/two"]);
  });
});

describe("the audit trail of the read-only user", () => {
  /** Which client made a call, by its user agent. */
  const clientOf = (event: AuditEvent) =>
    event.userAgent.startsWith("aws-cli/")
      ? "aws-cli"
      : event.userAgent.startsWith("Boto3/")
        ? "boto3"
        : "other";
  const keyOf = (event: AuditEvent) => `${clientOf(event)} ${event.eventName} ${event.errorCode ?? "OK"}`;
  const clientsRun = [...(cli.skip ? [] : ["aws-cli"]), ...(py.skip ? [] : ["boto3"])];

  let byArn: AuditEvent[];
  /** The calls' outcomes: a change's write-ahead intent is an event of its own. */
  const outcomes = () => byArn.filter((event) => !isIntent(event));
  let byKey: AuditEvent[];
  let everything: AuditEvent[];
  before(async () => {
    // One more wrong-key call, signed by Node, so the case is covered even without either tool.
    await assert.rejects(
      adminCall(
        server.url,
        "GetSecretValue",
        { SecretId: "ro/one" },
        { accessKeyId: user.accessKeyId, secretAccessKey: wrongSecretKey },
        "secretsmanager.GetSecretValue",
      ),
      (error: AdminCallError) => error.type === "InvalidSignatureException" && error.status === 403,
    );
    // Every request was committed to the trail before it was answered: read it only now.
    const log = await openAuditTrail({ COFFER_HOME: server.home, ...server.storeEnv });
    try {
      const all = async (filter: { principal?: string }) => {
        const page = await log.query({ ...filter, limit: 1000, order: "asc" });
        assert.equal(page.nextAfter, undefined, "the trail fits one page");
        return page.events.map((stored) => stored.event);
      };
      byArn = await all({ principal: userArn });
      byKey = await all({ principal: user.accessKeyId });
      everything = await all({});
    } finally {
      await log.close();
    }
  });

  test("each call of each client is there exactly once, by operation and error code", () => {
    const counts: Record<string, number> = {};
    for (const event of outcomes()) counts[keyOf(event)] = (counts[keyOf(event)] ?? 0) + 1;
    const expected: Record<string, number> = {};
    for (const client of clientsRun) {
      expected[`${client} GetSecretValue OK`] = 1;
      expected[`${client} DescribeSecret OK`] = 1;
      for (const { operation } of deniedCalls()) expected[`${client} ${operation} AccessDeniedException`] = 1;
    }
    assert.deepEqual(counts, expected);
  });

  test("every attempted change was announced ahead: one intent, before its outcome, same request id", () => {
    const intents = byArn.filter(isIntent);
    const expected = clientsRun.flatMap((client) =>
      deniedCalls()
        .filter(({ operation }) => !isReadOnlyOperation(operation))
        .map(({ operation }) => `${client} ${operation}`),
    );
    assert.deepEqual(intents.map((e) => `${clientOf(e)} ${e.eventName}`).sort(), expected.sort());
    for (const intent of intents) {
      assert.equal(intent.errorCode, undefined);
      assert.equal(intent.responseElements, null);
      const outcome = byArn.filter((e) => e.requestID === intent.requestID && !isIntent(e));
      assert.equal(outcome.length, 1, `${intent.eventName}: one outcome`);
      assert.ok(byArn.indexOf(intent) < byArn.indexOf(outcome[0] as AuditEvent), "the intent comes first");
    }
  });

  test("each names the user and its key, from a loopback address", () => {
    for (const event of byArn) {
      assert.equal(event.userIdentity.type, "IAMUser");
      assert.equal(event.userIdentity.arn, userArn);
      assert.equal(event.userIdentity.accessKeyId, user.accessKeyId);
      assert.equal(event.userIdentity.userName, userName);
      assert.equal(event.userIdentity.accountId, testAccountId);
      assert.match(event.sourceIPAddress, /^(127\.0\.0\.1|::1)$/);
      assert.equal(event.awsRegion, testRegion);
    }
  });

  test("the successful GetSecretValue names ro/one; the denied calls carry AccessDeniedException", () => {
    for (const client of clientsRun) {
      const mine = byArn.filter((event) => clientOf(event) === client);
      const read = mine.find((e) => e.eventName === "GetSecretValue" && e.errorCode === undefined);
      assert.ok(read, `${client}: the successful read`);
      assert.equal(read.errorMessage, undefined);
      assert.equal(read.requestParameters?.secretId, "ro/one");
      assert.equal(read.resources?.[0]?.ARN, roOneArn);
      assert.equal(read.readOnly, true);
      const deniedRead = mine.find((e) => e.eventName === "GetSecretValue" && e.errorCode !== undefined);
      assert.equal(deniedRead?.errorCode, "AccessDeniedException");
      assert.equal(deniedRead?.requestParameters?.secretId, "ro/two");
      assert.equal(deniedRead?.errorMessage, deniedMessage("GetSecretValue", "ro/two"));
      assert.equal(deniedRead?.responseElements, null);
      // The attempted value was recorded as hidden, not left out: the leak check below is not vacuous.
      const put = mine.find((e) => e.eventName === "PutSecretValue" && !isIntent(e));
      assert.equal(put?.requestParameters?.secretId, "ro/one");
      assert.equal(put?.requestParameters?.secretString, REDACTED);
      assert.equal(put?.readOnly, false);
      for (const { operation, message } of deniedCalls()) {
        const denied = mine.filter((e) => e.eventName === operation && e.errorCode !== undefined);
        assert.equal(denied.length, 1, `${client} ${operation}`);
        assert.equal(denied[0]?.errorCode, "AccessDeniedException", `${client} ${operation}`);
        assert.ok(
          denied[0]?.errorMessage?.startsWith(message),
          `${client} ${operation}: ${denied[0]?.errorMessage}`,
        );
      }
    }
  });

  test("the user agent names the client: aws-cli or Boto3", () => {
    const cliEvents = outcomes().filter((e) => clientOf(e) === "aws-cli");
    const botoEvents = outcomes().filter((e) => clientOf(e) === "boto3");
    assert.equal(cliEvents.length, cli.skip ? 0 : 9);
    assert.equal(botoEvents.length, py.skip ? 0 : 9);
    for (const event of cliEvents) assert.match(event.userAgent, /^aws-cli\/\d/);
    for (const event of botoEvents) assert.match(event.userAgent, /^Boto3\/\d.*Botocore/i);
    assert.equal(byArn.filter((e) => clientOf(e) === "other").length, 0);
  });

  test("a wrong secret key: InvalidSignatureException, attributed to the claimed key id, no principal", () => {
    const refused = byKey.filter((e) => e.errorCode === "InvalidSignatureException");
    assert.deepEqual(
      refused.map((e) => `${clientOf(e)} ${e.eventName}`).sort(),
      [...clientsRun, "other"].map((client) => `${client} GetSecretValue`).sort(),
    );
    for (const event of refused) {
      assert.equal(event.userIdentity.accessKeyId, user.accessKeyId);
      assert.equal(event.userIdentity.arn, "", "an unauthenticated call names no principal");
      assert.equal(event.userIdentity.type, "Unknown");
      assert.equal(event.responseElements, null);
    }
    // Querying by key id finds the authenticated calls too, and nothing else.
    assert.equal(byKey.length, byArn.length + refused.length);
  });

  test("no secret value, attempted value or secret key appears anywhere in the trail", () => {
    assert.ok(everything.length >= byKey.length + 5, "the trail holds the admin's calls too");
    const text = JSON.stringify(everything);
    for (const secret of [
      canaryOne,
      canaryTwo,
      canaryWrite,
      wrongSecretKey,
      user.secretAccessKey,
      testAdmin.secretAccessKey,
    ]) {
      assert.ok(!text.includes(secret), `${secret} leaked into the audit trail`);
    }
  });
});
