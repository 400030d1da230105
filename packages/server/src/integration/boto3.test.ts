import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { requireTool } from "../testing/real-clients.js";
import {
  type ServerProcess,
  startServerProcess,
  testAccountId,
  testRegion,
} from "../testing/server-process.js";

/**
 * boto3 against a real Coffer server process. Each test runs one small Python script that drives
 * boto3 and prints one JSON document for the test to assert on, so Python starts a handful of times
 * rather than once per call.
 */

const { skip, python } = requireTool("boto3");

let server: ServerProcess;
let home: string;

/**
 * Shared by every script: a client built the way a user would (endpoint_url and region_name, keys
 * from the environment), no retries, and `call()` that turns a ClientError into data.
 */
const prelude = `
import base64, json, os, sys
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["AWS_ENDPOINT_URL"]
REGION = os.environ["AWS_REGION"]

def client(parameter_validation=True, **kwargs):
    config = Config(retries={"total_max_attempts": 1}, parameter_validation=parameter_validation)
    return boto3.client("secretsmanager", endpoint_url=ENDPOINT, region_name=REGION, config=config, **kwargs)

sm = client()

def call(fn, **kwargs):
    """The outcome of one call: its response, or the error code, status and request id boto3 parsed."""
    try:
        response = fn(**kwargs)
        return {"ok": True, "requestId": response["ResponseMetadata"].get("RequestId"),
                "status": response["ResponseMetadata"]["HTTPStatusCode"], "response": response}
    except ClientError as e:
        return {"ok": False, "code": e.response["Error"]["Code"], "message": e.response["Error"].get("Message"),
                "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
                "requestId": e.response["ResponseMetadata"].get("RequestId"),
                "requestIdHeader": e.response["ResponseMetadata"].get("HTTPHeaders", {}).get("x-amzn-requestid")}

def emit(value):
    def default(o):
        if isinstance(o, (bytes, bytearray)):
            return {"base64": base64.b64encode(o).decode()}
        if hasattr(o, "timestamp"):
            return o.timestamp()
        return str(o)
    print(json.dumps(value, default=default))
`;

/** Runs prelude + script under the boto3 Python with the server's client environment; parses the JSON it printed. */
// biome-ignore lint/suspicious/noExplicitAny: script output is asserted on field by field.
function runPython(script: string): Promise<any> {
  const env = { ...server.clientEnv, PATH: process.env.PATH ?? "", HOME: home, PYTHONDONTWRITEBYTECODE: "1" };
  return new Promise((resolve, reject) => {
    const child = spawn(python, ["-c", `${prelude}\n${script}`], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`python exited with ${code}:\n${stderr}\n${stdout}`));
      const last = stdout.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`python printed no JSON:\n${stdout}\n${stderr}`));
      }
    });
  });
}

interface Outcome {
  ok: boolean;
  code?: string;
  message?: string;
  status: number;
  requestId?: string;
  requestIdHeader?: string;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function assertError(outcome: Outcome | undefined, code: string, status: number, message?: RegExp) {
  assert.ok(outcome, `no outcome for ${code}`);
  assert.equal(outcome.ok, false, `expected ${code}, but the call succeeded`);
  assert.equal(outcome.code, code, `expected ${code}, got ${outcome.code}: ${outcome.message}`);
  assert.equal(outcome.status, status, `${code} status`);
  if (message) assert.match(outcome.message ?? "", message);
  assert.match(outcome.requestId ?? "", uuidPattern, `${code} carries x-amzn-RequestId`);
}

describe("boto3 against a real Coffer server", { skip }, () => {
  before(async () => {
    server = await startServerProcess();
    home = mkdtempSync(join(tmpdir(), "coffer-boto3-home-"));
  });
  after(async () => {
    await server.stop();
    server.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  describe("the seed workflow through boto3", () => {
    test("create, list, put, update, get, describe, list-secret-version-ids", async () => {
      const out = await runPython(`
created = sm.create_secret(Name="alpha-vantage", SecretString=json.dumps({"apiKey": "first"}))
listed = sm.list_secrets()
put = sm.put_secret_value(SecretId="alpha-vantage", SecretString='{"apiKey":"second"}')
updated = sm.update_secret(SecretId=created["ARN"], SecretString='{"apiKey":"third"}', Description="Alpha Vantage")
# The two lines from the README:
value = sm.get_secret_value(SecretId="alpha-vantage")
api_key = json.loads(value["SecretString"])["apiKey"]
described = sm.describe_secret(SecretId="alpha-vantage")
versions = sm.list_secret_version_ids(SecretId="alpha-vantage", IncludeDeprecated=True)
emit({
    "arn": created["ARN"], "createdVersion": created["VersionId"],
    "createRequestId": created["ResponseMetadata"]["RequestId"],
    "createRequestIdHeader": created["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-requestid"),
    "listed": [s["Name"] for s in listed["SecretList"]],
    "putStages": put["VersionStages"], "updatedVersion": updated["VersionId"],
    "apiKey": api_key, "valueVersion": value["VersionId"], "valueStages": value["VersionStages"],
    "createdDateType": type(described["CreatedDate"]).__name__,
    "description": described["Description"], "versionIdsToStages": described["VersionIdsToStages"],
    "versions": [{"id": v["VersionId"], "stages": v.get("VersionStages", [])} for v in versions["Versions"]],
})
`);
      assert.match(
        out.arn,
        new RegExp(
          `^arn:aws:secretsmanager:${testRegion}:${testAccountId}:secret:alpha-vantage-[A-Za-z0-9]{6}$`,
        ),
      );
      assert.match(out.createdVersion, uuidPattern);
      assert.match(
        out.createRequestId,
        uuidPattern,
        "ResponseMetadata.RequestId comes from x-amzn-RequestId",
      );
      assert.equal(out.createRequestIdHeader, out.createRequestId);
      assert.ok(out.listed.includes("alpha-vantage"));
      assert.deepEqual(out.putStages, ["AWSCURRENT"]);
      assert.equal(out.apiKey, "third");
      assert.equal(out.valueVersion, out.updatedVersion);
      assert.deepEqual(out.valueStages, ["AWSCURRENT"]);
      assert.equal(out.createdDateType, "datetime", "boto3 parsed CreatedDate as a timestamp");
      assert.equal(out.description, "Alpha Vantage");
      assert.deepEqual(Object.values(out.versionIdsToStages).flat().sort(), ["AWSCURRENT", "AWSPREVIOUS"]);
      assert.equal(out.versions.length, 3);
      const stagesOf = (id: string) => out.versions.find((v: { id: string }) => v.id === id)?.stages;
      assert.deepEqual(stagesOf(out.updatedVersion), ["AWSCURRENT"]);
      assert.deepEqual(stagesOf(out.createdVersion), []);
    });

    test("tags: tag_resource, list_secrets filtered by tag-key, untag_resource", async () => {
      const out = await runPython(`
sm.tag_resource(SecretId="alpha-vantage", Tags=[{"Key": "team", "Value": "data"}, {"Key": "env", "Value": "prod"}])
by_tag = sm.list_secrets(Filters=[{"Key": "tag-key", "Values": ["team"]}])["SecretList"]
sm.untag_resource(SecretId="alpha-vantage", TagKeys=["team"])
after_untag = sm.list_secrets(Filters=[{"Key": "tag-key", "Values": ["team"]}])["SecretList"]
tags_after = sm.describe_secret(SecretId="alpha-vantage").get("Tags")
emit({"byTag": [(s["Name"], s.get("Tags")) for s in by_tag], "afterUntag": [s["Name"] for s in after_untag],
      "tagsAfter": tags_after})
`);
      assert.deepEqual(out.byTag, [
        [
          "alpha-vantage",
          [
            { Key: "team", Value: "data" },
            { Key: "env", Value: "prod" },
          ],
        ],
      ]);
      assert.deepEqual(out.afterUntag, []);
      assert.deepEqual(out.tagsAfter, [{ Key: "env", Value: "prod" }]);
    });

    test("binary values, get_random_password and batch_get_secret_value", async () => {
      const out = await runPython(String.raw`
sm.create_secret(Name="boto3-binary", SecretBinary=b"\x00\xff")
read = sm.get_secret_value(SecretId="boto3-binary")
password = sm.get_random_password(PasswordLength=24, ExcludePunctuation=True)["RandomPassword"]
batch = sm.batch_get_secret_value(SecretIdList=["alpha-vantage", "boto3-binary", "boto3-missing"])
emit({
    "binary": list(read["SecretBinary"]), "binaryType": type(read["SecretBinary"]).__name__,
    "hasString": "SecretString" in read, "password": password,
    "values": {v["Name"]: v.get("SecretString") or list(v["SecretBinary"]) for v in batch["SecretValues"]},
    "errors": [(e["SecretId"], e["ErrorCode"]) for e in batch["Errors"]],
})
`);
      assert.equal(out.binaryType, "bytes");
      assert.deepEqual(out.binary, [0, 255]);
      assert.equal(out.hasString, false);
      assert.match(out.password, /^[A-Za-z0-9]{24}$/);
      assert.deepEqual(out.values, { "alpha-vantage": '{"apiKey":"third"}', "boto3-binary": [0, 255] });
      assert.deepEqual(out.errors, [["boto3-missing", "ResourceNotFoundException"]]);
    });

    test("a list_secrets paginator with PageSize 10 returns each of 25 secrets exactly once", async () => {
      const out = await runPython(`
names = ["boto3-page-%02d" % i for i in range(25)]
for name in names:
    sm.create_secret(Name=name, SecretString=name)
pages = sm.get_paginator("list_secrets").paginate(
    Filters=[{"Key": "name", "Values": ["boto3-page-"]}], PaginationConfig={"PageSize": 10})
sizes, seen = [], []
for page in pages:
    sizes.append(len(page["SecretList"]))
    seen.extend(s["Name"] for s in page["SecretList"])
everything = []
for page in sm.get_paginator("list_secrets").paginate(PaginationConfig={"PageSize": 10}):
    everything.extend(s["Name"] for s in page["SecretList"])
emit({"names": names, "sizes": sizes, "seen": seen, "everything": everything})
`);
      assert.deepEqual(out.sizes, [10, 10, 5]);
      assert.deepEqual([...out.seen].sort(), out.names);
      assert.equal(new Set(out.seen).size, 25);
      // Unfiltered: every secret of the region, each once.
      assert.equal(new Set(out.everything).size, out.everything.length);
      for (const name of [...out.names, "alpha-vantage", "boto3-binary"])
        assert.ok(out.everything.includes(name), name);
    });

    test("delete with a recovery window, refused read, restore, then force delete", async () => {
      const out = await runPython(`
import time
deleted = sm.delete_secret(SecretId="alpha-vantage", RecoveryWindowInDays=7)
days = (deleted["DeletionDate"].timestamp() - time.time()) / 86400
refused = call(sm.get_secret_value, SecretId="alpha-vantage")
sm.restore_secret(SecretId="alpha-vantage")
restored = json.loads(sm.get_secret_value(SecretId="alpha-vantage")["SecretString"])["apiKey"]
forced = sm.delete_secret(SecretId="alpha-vantage", ForceDeleteWithoutRecovery=True)
gone = call(sm.get_secret_value, SecretId="alpha-vantage")
emit({"days": days, "refused": refused, "restored": restored, "forcedName": forced["Name"], "gone": gone})
`);
      assert.ok(out.days > 6.9 && out.days <= 7, `deletion in ${out.days} days`);
      assertError(out.refused, "InvalidRequestException", 400, /marked for deletion/);
      assert.equal(out.restored, "third");
      assert.equal(out.forcedName, "alpha-vantage");
      assertError(out.gone, "ResourceNotFoundException", 400);
    });
  });

  describe("errors through boto3", () => {
    // One Python process makes every failing call; each test asserts on its outcome.
    let outcomes: Record<string, Outcome>;
    before(async () => {
      outcomes = await runPython(`
sm.create_secret(Name="boto3-exists", SecretString="x")
sm.create_secret(Name="boto3-deleted", SecretString="x")
sm.delete_secret(SecretId="boto3-deleted", RecoveryWindowInDays=7)
unvalidated = client(parameter_validation=False)
stranger = client(aws_access_key_id="AKIAUNKNOWN000000000", aws_secret_access_key="whatever-secret-000000")
wrong = client(aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"], aws_secret_access_key="not-the-right-secret-key")
emit({
    "notFound": call(sm.get_secret_value, SecretId="boto3-no-such-secret"),
    "exists": call(sm.create_secret, Name="boto3-exists", SecretString="y"),
    "badName": call(sm.create_secret, Name="bad name!", SecretString="x"),
    "deletedRead": call(sm.get_secret_value, SecretId="boto3-deleted"),
    "rotate": call(sm.rotate_secret, SecretId="boto3-exists"),
    "validation": call(unvalidated.list_secrets, MaxResults=1000),
    "nextToken": call(sm.list_secrets, NextToken="garbage"),
    "unknownKey": call(stranger.list_secrets),
    "wrongSecret": call(wrong.list_secrets),
    "success": call(sm.get_random_password),
})
`);
    });

    test("ResourceNotFoundException (400)", () => {
      assertError(outcomes.notFound, "ResourceNotFoundException", 400);
      assert.equal(outcomes.notFound?.requestIdHeader, outcomes.notFound?.requestId);
    });
    test("ResourceExistsException", () => assertError(outcomes.exists, "ResourceExistsException", 400));
    test("ValidationException for a bad name, as AWS answers it", () =>
      assertError(outcomes.badName, "ValidationException", 400, /^Invalid name\. Must be a valid name/));
    test("InvalidRequestException for a read of a deleted secret", () =>
      assertError(outcomes.deletedRead, "InvalidRequestException", 400, /marked for deletion/));
    test("InvalidRequestException for RotateSecret with no rotation function configured", () =>
      assertError(
        outcomes.rotate,
        "InvalidRequestException",
        400,
        /doesn't already have a Lambda function ARN configured/,
      ));
    test("ValidationException for MaxResults=1000 with client-side validation off", () =>
      assertError(outcomes.validation, "ValidationException", 400, /maxResults/i));
    test("InvalidNextTokenException for a bad NextToken", () =>
      assertError(outcomes.nextToken, "InvalidNextTokenException", 400));
    test("UnrecognizedClientException for an unknown access key", () =>
      assertError(outcomes.unknownKey, "UnrecognizedClientException", 403));
    test("InvalidSignatureException for a wrong secret key", () =>
      assertError(outcomes.wrongSecret, "InvalidSignatureException", 403));
    test("a successful response carries x-amzn-RequestId too", () => {
      assert.equal(outcomes.success?.ok, true);
      assert.equal(outcomes.success?.status, 200);
      assert.match(outcomes.success?.requestId ?? "", uuidPattern);
    });
  });

  describe("AWS-exact answers through boto3 (issue 10)", () => {
    // biome-ignore lint/suspicious/noExplicitAny: script output is asserted on field by field.
    let out: any;
    before(async () => {
      out = await runPython(`
import uuid
out = {}
def keys(r):
    return sorted(k for k in r if k != "ResponseMetadata")
c = sm.create_secret(Name="exact/one", SecretString="v1", Tags=[{"Key": "k", "Value": "v"}], Type="database-credentials")
out["arn"] = c["ARN"]
out["create"] = keys(c)
out["createEmpty"] = keys(sm.create_secret(Name="exact/empty"))
first = sm.put_secret_value(SecretId="exact/empty", SecretString="first", VersionStages=["AWSPENDING"])
out["pendingFirst"] = first["VersionStages"]
out["pendingFirstIsCurrent"] = sm.get_secret_value(SecretId="exact/empty")["VersionId"] == first["VersionId"]
second = sm.put_secret_value(SecretId="exact/empty", SecretString="second")
out["second"] = second["VersionId"]
out["noRemove"] = call(sm.update_secret_version_stage, SecretId="exact/empty", VersionStage="AWSCURRENT", MoveToVersionId=first["VersionId"])
out["updateNoValue"] = keys(sm.update_secret(SecretId="exact/one", Description="d"))
sm.untag_resource(SecretId="exact/one", TagKeys=["k"])
d = sm.describe_secret(SecretId="exact/one")
out["describe"] = keys(d)
out["type"] = d.get("Type")
sm.update_secret(SecretId="exact/one", Type="other-type")
out["typeAfterUpdate"] = sm.describe_secret(SecretId="exact/one").get("Type")
entry = [s for s in sm.list_secrets()["SecretList"] if s["Name"] == "exact/one"][0]
out["listEntry"] = keys(entry)
out["listType"] = entry.get("Type")
out["listStages"] = entry["SecretVersionsToStages"]
out["kmsKeyIds"] = sm.list_secret_version_ids(SecretId="exact/one")["Versions"][0].get("KmsKeyIds")
token = str(uuid.uuid4())
out["token"] = token
sm.put_secret_value(SecretId="exact/one", SecretString="x", ClientRequestToken=token)
out["tokenClash"] = call(sm.put_secret_value, SecretId="exact/one", SecretString="y", ClientRequestToken=token)
out["forceAndWindow"] = call(sm.delete_secret, SecretId="exact/one", ForceDeleteWithoutRecovery=True, RecoveryWindowInDays=7)
sm.create_secret(Name="exact/doomed", SecretString="z")
sm.delete_secret(SecretId="exact/doomed")
batch = sm.batch_get_secret_value(SecretIdList=["exact/doomed", "exact/one"])
out["batchValues"] = [s["Name"] for s in batch["SecretValues"]]
out["batchErrors"] = batch["Errors"]
unchecked = client(parameter_validation=False)
out["batchBoth"] = call(sm.batch_get_secret_value, SecretIdList=["exact/one"], Filters=[{"Key": "name", "Values": ["exact"]}])
out["batchNeither"] = call(unchecked.batch_get_secret_value)
out["batchMaxResults"] = call(sm.batch_get_secret_value, SecretIdList=["exact/one"], MaxResults=5)
out["batchTooMany"] = call(unchecked.batch_get_secret_value, SecretIdList=["s%d" % i for i in range(21)])
out["shortWithSpace"] = call(sm.get_random_password, PasswordLength=4, IncludeSpace=True)
out["fiveWithSpace"] = call(sm.get_random_password, PasswordLength=5, IncludeSpace=True)
out["tooLong"] = call(unchecked.get_random_password, PasswordLength=4097)
out["putNoValue"] = call(sm.put_secret_value, SecretId="exact/empty")
out["badSecretId"] = [call(sm.describe_secret, SecretId="Inv Name")["code"], call(sm.get_secret_value, SecretId=" Inv*Name? ")["code"]]
emit(out)
`);
    });

    test("responses leave out what AWS leaves out", () => {
      assert.deepEqual(out.create, ["ARN", "Name", "VersionId"], "no ReplicationStatus: []");
      assert.deepEqual(out.createEmpty, ["ARN", "Name"]);
      assert.deepEqual(out.updateNoValue, ["ARN", "Name"]);
      // No Tags once the last is removed; no RotationEnabled/PrimaryRegion for a plain secret.
      assert.deepEqual(out.describe, [
        "ARN",
        "CreatedDate",
        "Description",
        "LastChangedDate",
        "Name",
        "Type",
        "VersionIdsToStages",
      ]);
    });

    test("Type is stored and returned by DescribeSecret and ListSecrets", () => {
      assert.equal(out.type, "database-credentials");
      assert.equal(out.typeAfterUpdate, "other-type");
      assert.equal(out.listType, "other-type");
    });

    test("ListSecrets entries carry SecretVersionsToStages; versions list DefaultEncryptionKey", () => {
      assert.ok(out.listEntry.includes("SecretVersionsToStages"));
      assert.ok(!out.listEntry.includes("Tags") && !out.listEntry.includes("RotationEnabled"));
      assert.deepEqual(Object.values(out.listStages), [["AWSCURRENT"]]);
      assert.deepEqual(out.kmsKeyIds, ["DefaultEncryptionKey"]);
    });

    test("the first value becomes AWSCURRENT even when put as AWSPENDING", () => {
      assert.deepEqual(out.pendingFirst, ["AWSPENDING", "AWSCURRENT"]);
      assert.equal(out.pendingFirstIsCurrent, true);
    });

    test("AWS's messages: token clash, force with window, label move, deleted secret in a batch", () => {
      assertError(out.tokenClash, "ResourceExistsException", 400);
      assert.equal(
        out.tokenClash.message,
        `You can't use ClientRequestToken ${out.token} because that value is already in use for a version of secret ${out.arn}.`,
      );
      assertError(out.forceAndWindow, "InvalidParameterException", 400);
      assert.equal(
        out.forceAndWindow.message,
        "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
      );
      assertError(out.noRemove, "InvalidParameterException", 400);
      assert.equal(
        out.noRemove.message,
        `The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently attached to version ${out.second}, so you must explicitly reference that version in RemoveFromVersionId.`,
      );
      assert.deepEqual(out.batchValues, ["exact/one"]);
      assert.deepEqual(out.batchErrors, [
        {
          SecretId: "exact/doomed",
          ErrorCode: "InvalidRequestException",
          Message: "You can't perform this operation on the secret because it was marked for deletion.",
        },
      ]);
    });

    test("AWS's messages: BatchGetSecretValue arguments and GetRandomPassword limits", () => {
      const either = "Either 'SecretIdList' or 'Filters' must be provided, but not both.";
      assertError(out.batchBoth, "InvalidParameterException", 400);
      assert.equal(out.batchBoth.message, either);
      assertError(out.batchNeither, "InvalidParameterException", 400);
      assert.equal(out.batchNeither.message, either);
      assertError(out.batchMaxResults, "InvalidParameterException", 400);
      assert.equal(
        out.batchMaxResults.message,
        "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided.",
      );
      assertError(out.batchTooMany, "ValidationException", 400, /secretIdList/);
      assertError(out.shortWithSpace, "InvalidParameterException", 400);
      assert.equal(out.shortWithSpace.message, "Password length is too short based on the required types.");
      assert.equal(out.fiveWithSpace.ok, true);
      assert.deepEqual(out.badSecretId, ["ValidationException", "ValidationException"]);
      assertError(out.putNoValue, "InvalidRequestException", 400);
      assert.equal(out.putNoValue.message, "You must provide either SecretString or SecretBinary.");
      assertError(out.tooLong, "ValidationException", 400);
      assert.equal(
        out.tooLong.message,
        "1 validation error detected: Value '4097' at 'passwordLength' failed to satisfy constraint: Member must have value less than or equal to 4096",
      );
    });
  });
});
