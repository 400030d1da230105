import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ListSecretsCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import {
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  GetSessionTokenCommand,
  STSClient,
} from "@aws-sdk/client-sts";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { uniqueIdOf } from "../arns/unique-ids.js";
import { adminCall } from "../testing/admin-call.js";
import { requireTool } from "../testing/real-clients.js";
import { runPythonJson } from "../testing/run-python.js";
import {
  type ServerProcess,
  startServerProcess,
  testAccountId,
  testAdmin,
  testRegion,
} from "../testing/server-process.js";

/**
 * STS's Query protocol on a real Coffer server process, through the clients workloads use: the AWS
 * SDK for JavaScript v3, boto3 and the aws CLI ask who they are (GetCallerIdentity); raw requests
 * check STS's XML errors; AssumeRoleWithWebIdentity with a token that is no JWT is refused with
 * STS's InvalidIdentityToken, unsigned — and its token is found nowhere but in the request that
 * carried it. (Good and bad tokens, roles and trust: integration/workload-identity.test.ts.)
 */

const aws = requireTool("aws");
const boto3 = requireTool("boto3");

let server: ServerProcess;
let home: string;

const adminArn = `arn:aws:iam::${testAccountId}:user/admin`;
const canaryToken = "eyJhbGciOiJSUzI1NiJ9.CANARY-STS-PROTOCOL-TOKEN.c2lnbmF0dXJl";
const xmlNamespace = "https://sts.amazonaws.com/doc/2011-06-15/";

before(async () => {
  server = await startServerProcess();
  home = mkdtempSync(join(tmpdir(), "coffer-sts-home-"));
});
after(async () => {
  await server.stop();
  server.cleanup();
  rmSync(home, { recursive: true, force: true });
});

function sts(): STSClient {
  return new STSClient({ endpoint: server.url, region: testRegion, credentials: testAdmin, maxAttempts: 1 });
}

interface RawResponse {
  status: number;
  contentType: string | null;
  requestId: string | null;
  body: string;
}

async function post(body: string, headers: Record<string, string>): Promise<RawResponse> {
  const response = await fetch(server.url, { method: "POST", headers, body });
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    requestId: response.headers.get("x-amzn-requestid"),
    body: await response.text(),
  };
}

const formType = { "content-type": "application/x-www-form-urlencoded; charset=utf-8" };

/** A form body signed for STS with the admin key, as the SDKs sign it. */
async function signedPost(body: string): Promise<RawResponse> {
  const { hostname, port, host } = new URL(server.url);
  const signer = new SignatureV4({
    service: "sts",
    region: testRegion,
    credentials: testAdmin,
    sha256: Hash.bind(null, "sha256"),
  });
  const request = await signer.sign({
    method: "POST",
    protocol: "http:",
    hostname,
    port: Number(port),
    path: "/",
    headers: { host, ...formType },
    body,
  });
  return post(body, request.headers);
}

/** Asserts STS's `<ErrorResponse>` with this code and status, and returns its message. */
function assertStsError(response: RawResponse, status: number, code: string): string {
  assert.equal(response.status, status, response.body);
  assert.equal(response.contentType, "text/xml");
  assert.match(response.requestId ?? "", /^[0-9a-f-]{36}$/);
  const match =
    /^<ErrorResponse xmlns="([^"]+)"><Error><Type>(Sender|Receiver)<\/Type><Code>([^<]+)<\/Code><Message>([^<]*)<\/Message><\/Error><RequestId>([^<]+)<\/RequestId><\/ErrorResponse>$/.exec(
      response.body,
    );
  assert.ok(match, response.body);
  assert.equal(match[1], xmlNamespace);
  assert.equal(match[2], "Sender");
  assert.equal(match[3], code);
  assert.equal(match[5], response.requestId);
  return match[4] ?? "";
}

describe("GetCallerIdentity through real clients", () => {
  const expectedUserId = uniqueIdOf("user", adminArn);

  test("the AWS SDK for JavaScript v3", async () => {
    const identity = await sts().send(new GetCallerIdentityCommand({}));
    assert.equal(identity.Arn, adminArn);
    assert.equal(identity.Account, testAccountId);
    assert.equal(identity.UserId, expectedUserId);
    assert.equal(identity.$metadata.httpStatusCode, 200);
    assert.match(identity.$metadata.requestId ?? "", /^[0-9a-f-]{36}$/);
  });

  test("boto3", { skip: boto3.skip }, async () => {
    const result = await runPython(`
import json, os, boto3
from botocore.config import Config
sts = boto3.client("sts", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"],
                   config=Config(retries={"total_max_attempts": 1}))
identity = sts.get_caller_identity()
print(json.dumps({"Arn": identity["Arn"], "Account": identity["Account"], "UserId": identity["UserId"],
                  "RequestId": identity["ResponseMetadata"]["RequestId"]}))
`);
    assert.deepEqual(
      { Arn: result.Arn, Account: result.Account, UserId: result.UserId },
      { Arn: adminArn, Account: testAccountId, UserId: expectedUserId },
    );
    assert.match(result.RequestId, /^[0-9a-f-]{36}$/);
  });

  test("the aws CLI", { skip: aws.skip }, async () => {
    const result = await awsCli(["sts", "get-caller-identity"]);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), {
      UserId: expectedUserId,
      Account: testAccountId,
      Arn: adminArn,
    });
  });

  test("Secrets Manager, on the same server, still speaks AWS JSON", async () => {
    const client = new SecretsManagerClient({
      endpoint: server.url,
      region: testRegion,
      credentials: testAdmin,
    });
    const listed = await client.send(new ListSecretsCommand({}));
    assert.ok(Array.isArray(listed.SecretList));
    const raw = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "secretsmanager.ListSecrets" },
      body: "{}",
    });
    assert.equal(raw.status, 403);
    assert.equal(raw.headers.get("content-type"), "application/x-amz-json-1.1");
    assert.equal(((await raw.json()) as { __type: string }).__type, "MissingAuthenticationTokenException");
  });
});

describe("STS's errors, as STS writes them", () => {
  test("an unknown Action → 400 InvalidAction", async () => {
    const message = assertStsError(
      await post("Action=StealEverything&Version=2011-06-15", formType),
      400,
      "InvalidAction",
    );
    assert.equal(message, "Could not find operation StealEverything for version 2011-06-15.");
  });

  test("an action of STS that Coffer does not serve → 400 InvalidAction saying so, through the SDK too", async () => {
    const message = assertStsError(
      await signedPost("Action=GetFederationToken&Version=2011-06-15&Name=x"),
      400,
      "InvalidAction",
    );
    assert.match(message, /^Coffer does not serve GetFederationToken/);
    await assert.rejects(sts().send(new GetSessionTokenCommand({})), (error: Error) => {
      assert.equal(error.name, "InvalidAction");
      assert.match(error.message, /Coffer does not serve GetSessionToken/);
      return true;
    });
  });

  test("a Version other than 2011-06-15 → 400 InvalidAction; none → 400 MissingParameter", async () => {
    const message = assertStsError(
      await post("Action=GetCallerIdentity&Version=2012-01-01", formType),
      400,
      "InvalidAction",
    );
    assert.match(message, /for version 2012-01-01/);
    assertStsError(await post("Action=GetCallerIdentity", formType), 400, "MissingParameter");
    assertStsError(await post("Version=2011-06-15", formType), 400, "MissingAction");
  });

  test("a malformed form body → 400 MalformedQueryString, the bad value not echoed", async () => {
    const message = assertStsError(
      await post("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&WebIdentityToken=CANARY%ZZ", formType),
      400,
      "MalformedQueryString",
    );
    assert.doesNotMatch(message, /CANARY/);
    assertStsError(
      await post("Action=GetCallerIdentity&Action=AssumeRole&Version=2011-06-15", formType),
      400,
      "MalformedQueryString",
    );
  });

  test("a missing required member → 400 ValidationError, in AWS's words", async () => {
    const message = assertStsError(
      await post(
        "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fx&RoleSessionName=s1",
        formType,
      ),
      400,
      "ValidationError",
    );
    assert.equal(
      message,
      "1 validation error detected: Value null at 'webIdentityToken' failed to satisfy constraint: Member must not be null",
    );
    assertStsError(
      await signedPost("Action=AssumeRole&Version=2011-06-15&RoleSessionName=s1"),
      400,
      "ValidationError",
    );
    assertStsError(
      await signedPost(
        "Action=AssumeRole&Version=2011-06-15&RoleArn=x&RoleSessionName=s1&DurationSeconds=soon",
      ),
      400,
      "InvalidParameterValue",
    );
  });

  test("a signed action without a signature → 403 MissingAuthenticationToken", async () => {
    assertStsError(
      await post("Action=GetCallerIdentity&Version=2011-06-15", formType),
      403,
      "MissingAuthenticationToken",
    );
  });
});

describe("AssumeRoleWithWebIdentity with a token that is no JWT", () => {
  test("the SDK gets InvalidIdentityToken, unsigned as STS expects", async () => {
    const anonymous = new STSClient({
      endpoint: server.url,
      region: testRegion,
      maxAttempts: 1,
      credentials: async () => {
        throw new Error("AssumeRoleWithWebIdentity must not ask for credentials");
      },
    });
    await assert.rejects(
      anonymous.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: `arn:aws:iam::${testAccountId}:role/deploy`,
          RoleSessionName: "ci",
          WebIdentityToken: canaryToken,
        }),
      ),
      (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(error.name, "InvalidIdentityTokenException");
        assert.match(error.message, /not a valid JWT/);
        assert.doesNotMatch(error.message, /CANARY/);
        assert.equal(error.$metadata?.httpStatusCode, 400);
        return true;
      },
    );
  });

  test("boto3 and the aws CLI get the same", { skip: boto3.skip || aws.skip }, async () => {
    const result = await runPython(`
import json, os, boto3
from botocore.config import Config
from botocore.exceptions import ClientError
sts = boto3.client("sts", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"],
                   config=Config(retries={"total_max_attempts": 1}))
try:
    sts.assume_role_with_web_identity(RoleArn="arn:aws:iam::${testAccountId}:role/deploy", RoleSessionName="ci",
                                      WebIdentityToken="${canaryToken}")
    print(json.dumps({"ok": True}))
except ClientError as e:
    print(json.dumps({"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"],
                      "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}))
`);
    assert.deepEqual(
      { code: result.code, status: result.status },
      { code: "InvalidIdentityToken", status: 400 },
    );
    const cli = await awsCli([
      "sts",
      "assume-role-with-web-identity",
      "--role-arn",
      `arn:aws:iam::${testAccountId}:role/deploy`,
      "--role-session-name",
      "ci",
      "--web-identity-token",
      canaryToken,
    ]);
    assert.notEqual(cli.status, 0);
    assert.match(
      cli.stderr,
      /An error occurred \(InvalidIdentityToken\) when calling the AssumeRoleWithWebIdentity operation/,
    );
  });

  test("its events are STS's, the token hidden; the token is in no event and no log line", async () => {
    const page = (await adminCall(server.url, "QueryAuditEvents", {
      EventName: "AssumeRoleWithWebIdentity",
      MaxResults: 100,
    })) as { Events: Array<Record<string, unknown>> };
    const events = page.Events.map((event) =>
      typeof event.Event === "string" ? (JSON.parse(event.Event) as Record<string, unknown>) : event,
    );
    assert.ok(events.length >= 2, JSON.stringify(page));
    const text = JSON.stringify(page);
    assert.match(text, /sts\.amazonaws\.com/);
    assert.match(text, /HIDDEN_DUE_TO_SECURITY_REASONS/);
    assert.doesNotMatch(text, /CANARY-STS-PROTOCOL-TOKEN/);
    const journal = join(server.home, "audit.log");
    if (existsSync(journal)) assert.doesNotMatch(readFileSync(journal, "utf8"), /CANARY-STS-PROTOCOL-TOKEN/);
    assert.doesNotMatch(server.output(), /CANARY-STS-PROTOCOL-TOKEN/);
  });
});

interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

function awsCli(args: string[]): Promise<CliResult> {
  const argv = [...args, "--endpoint-url", server.url, "--output", "json"];
  const env = {
    ...server.clientEnv,
    PATH: process.env.PATH ?? "",
    HOME: home,
    AWS_PAGER: "",
    AWS_MAX_ATTEMPTS: "1",
  };
  return new Promise((resolve) => {
    execFile("aws", argv, { env, timeout: 30_000 }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

/** Runs a boto3 script with the server's client environment; the JSON it printed last. */
function runPython(script: string) {
  return runPythonJson(boto3.python, script, { ...server.clientEnv, HOME: home });
}
