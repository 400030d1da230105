import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { AuditEvent } from "../audit/event.js";
import { adminCall } from "../testing/admin-call.js";
import { requireTool } from "../testing/real-clients.js";
import { type ServerProcess, startServerProcess, testRegion } from "../testing/server-process.js";

/**
 * Replication through real clients against a real server process (docs/replication.md): boto3
 * creates a secret with a replica and writes to it in the primary's region; the aws CLI reads it
 * in the replica's region.
 */

const boto3 = requireTool("boto3");
const cli = requireTool("aws");
const replicaRegion = "eu-west-1"; // testRegion is us-east-1

let server: ServerProcess;
let home: string;

function run(file: string, argv: string[], env: Record<string, string> = {}): Promise<string> {
  const fullEnv = { ...server.clientEnv, PATH: process.env.PATH ?? "", HOME: home, AWS_PAGER: "", ...env };
  return new Promise((resolve, reject) => {
    execFile(file, argv, { env: fullEnv, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} failed: ${stderr}\n${stdout}`));
      else resolve(stdout);
    });
  });
}

// biome-ignore lint/suspicious/noExplicitAny: script output is asserted on field by field.
async function python(script: string): Promise<any> {
  const prelude = `
import json, os
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
def client(region):
    return boto3.client("secretsmanager", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=region,
                        config=Config(retries={"total_max_attempts": 1}))
def error(fn, **kwargs):
    try:
        fn(**kwargs)
        return None
    except ClientError as e:
        return {"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"]}
`;
  const out = await run(boto3.python, ["-c", `${prelude}\n${script}`], { PYTHONDONTWRITEBYTECODE: "1" });
  return JSON.parse(out.trim().split("\n").pop() ?? "");
}

async function cliValue(region: string, secretId: string): Promise<string> {
  const out = await run("aws", [
    "secretsmanager",
    "get-secret-value",
    "--secret-id",
    secretId,
    "--region",
    region,
    "--endpoint-url",
    server.url,
    "--output",
    "json",
  ]);
  return JSON.parse(out).SecretString;
}

describe("replication through boto3 and the aws CLI", { skip: boto3.skip || cli.skip }, () => {
  before(async () => {
    server = await startServerProcess();
    home = mkdtempSync(join(tmpdir(), "coffer-replication-home-"));
  });
  after(async () => {
    await server.stop();
    server.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  test("create with AddReplicaRegions, put a new value: get-secret-value in the replica region returns it", async () => {
    const out = await python(`
primary = client("${testRegion}")
replica = client("${replicaRegion}")
created = primary.create_secret(Name="repl/db", SecretString="one",
                                AddReplicaRegions=[{"Region": "${replicaRegion}"}])
primary.put_secret_value(SecretId="repl/db", SecretString="two")
primary.tag_resource(SecretId="repl/db", Tags=[{"Key": "team", "Value": "a"}])
described = primary.describe_secret(SecretId="repl/db")
replica_described = replica.describe_secret(SecretId="repl/db")
listed = replica.list_secrets(Filters=[{"Key": "primary-region", "Values": ["${testRegion}"]}])["SecretList"]
refused = error(replica.put_secret_value, SecretId="repl/db", SecretString="x")
delete_refused = error(primary.delete_secret, SecretId="repl/db")
print(json.dumps({
  "arn": created["ARN"], "status": created["ReplicationStatus"],
  "primaryStatus": described["ReplicationStatus"], "primaryRegion": described.get("PrimaryRegion"),
  "replicaArn": replica_described["ARN"], "replicaPrimary": replica_described.get("PrimaryRegion"),
  "replicaTags": replica_described.get("Tags"), "replicaHasStatus": "ReplicationStatus" in replica_described,
  "listed": [s["Name"] for s in listed], "listedKeys": sorted(k for k in listed[0] if k in ("PrimaryRegion", "ReplicationStatus")),
  "primaryListed": [sorted(k for k in s if k in ("PrimaryRegion", "ReplicationStatus")) for s in primary.list_secrets()["SecretList"]], "refused": refused, "deleteRefused": delete_refused,
}))
`);
    assert.deepEqual(out.status, [{ Region: replicaRegion, Status: "InSync" }]);
    assert.deepEqual(out.primaryStatus, [{ Region: replicaRegion, Status: "InSync" }]);
    assert.equal(out.primaryRegion, testRegion);
    assert.equal(out.replicaArn, out.arn.replace(`:${testRegion}:`, `:${replicaRegion}:`));
    assert.equal(out.replicaPrimary, testRegion);
    assert.deepEqual(out.replicaTags, [{ Key: "team", Value: "a" }]);
    assert.equal(out.replicaHasStatus, false);
    assert.deepEqual(out.listed, ["repl/db"]);
    assert.deepEqual(out.listedKeys, ["PrimaryRegion"]);
    assert.deepEqual(out.primaryListed, [["PrimaryRegion"]]);
    assert.deepEqual(out.refused, {
      code: "InvalidParameterException",
      message: "Operation not permitted on a replica secret. Call must be made in primary secret's region.",
    });
    assert.equal(out.deleteRefused.code, "InvalidParameterException");

    assert.equal(await cliValue(replicaRegion, "repl/db"), "two");
    assert.equal(await cliValue(replicaRegion, out.replicaArn), "two");

    // Promote the replica, then the primary may be deleted; the promoted secret lives on.
    const after = await python(`
primary = client("${testRegion}")
replica = client("${replicaRegion}")
stopped = replica.stop_replication_to_replica(SecretId="repl/db")
replica.put_secret_value(SecretId="repl/db", SecretString="three")
primary.delete_secret(SecretId="repl/db", ForceDeleteWithoutRecovery=True)
print(json.dumps({"arn": stopped["ARN"]}))
`);
    assert.equal(after.arn, out.replicaArn);
    assert.equal(await cliValue(replicaRegion, "repl/db"), "three");
  });
  test("ReplicationStatus[].LastAccessedDate is the replica's last read in its region, omitted until then", async () => {
    const out = await python(`
import datetime
primary = client("${testRegion}")
replica = client("${replicaRegion}")
primary.create_secret(Name="repl/read", SecretString="one", AddReplicaRegions=[{"Region": "${replicaRegion}"}])
primary.get_secret_value(SecretId="repl/read")
before = primary.describe_secret(SecretId="repl/read")["ReplicationStatus"]
replica.get_secret_value(SecretId="repl/read")
after = primary.describe_secret(SecretId="repl/read")
added = primary.replicate_secret_to_regions(SecretId="repl/read", AddReplicaRegions=[{"Region": "us-west-2"}])
removed = primary.remove_regions_from_replication(SecretId="repl/read", RemoveReplicaRegions=["us-west-2"])
def dates(statuses):
    return {s["Region"]: s["LastAccessedDate"].astimezone(datetime.timezone.utc).isoformat() if "LastAccessedDate" in s else None for s in statuses}
print(json.dumps({
  "before": dates(before), "after": dates(after["ReplicationStatus"]),
  "replicaRead": replica.describe_secret(SecretId="repl/read")["LastAccessedDate"].astimezone(datetime.timezone.utc).isoformat(),
  "added": dates(added["ReplicationStatus"]), "removed": dates(removed["ReplicationStatus"]),
}))
`);
    const today = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000)
      .toISOString()
      .replace(".000Z", "+00:00");
    // The primary's own read is not the replica's: nothing for eu-west-1 until it is read there.
    assert.deepEqual(out.before, { [replicaRegion]: null });
    assert.deepEqual(out.after, { [replicaRegion]: today });
    assert.equal(out.replicaRead, today);
    assert.deepEqual(out.added, { [replicaRegion]: today, "us-west-2": null });
    assert.deepEqual(out.removed, { [replicaRegion]: today });
  });
  test("the audit trail has each replicated change in the replica's region, naming the replica ARN", async () => {
    const out = await python(`
primary = client("${testRegion}")
created = primary.create_secret(Name="repl/audit", SecretString="one", AddReplicaRegions=[{"Region": "${replicaRegion}"}])
primary.put_secret_value(SecretId="repl/audit", SecretString="two")
print(json.dumps({"arn": created["ARN"]}))
`);
    const replicaArn = out.arn.replace(`:${testRegion}:`, `:${replicaRegion}:`);
    const page = (await adminCall(server.url, "QueryAuditEvents", {
      SecretId: replicaArn,
      MaxResults: 100,
    })) as {
      Events: Array<{ Event: AuditEvent }>;
    };
    const replicaEvents = page.Events.map(({ Event }) => Event).filter(
      (e) => e.eventType === "AwsServiceEvent",
    );
    assert.deepEqual(
      replicaEvents
        .map((e) => [e.eventName, e.awsRegion, e.resources?.[0]?.ARN, e.additionalEventData?.operation])
        .sort((a, b) => String(a[3]).localeCompare(String(b[3]))),
      [
        ["ReplicationSucceeded", replicaRegion, replicaArn, "CreateSecret"],
        ["ReplicationSucceeded", replicaRegion, replicaArn, "PutSecretValue"],
      ],
    );
    for (const event of replicaEvents) {
      assert.equal(event.additionalEventData?.primaryArn, out.arn);
      assert.equal(JSON.stringify(event).includes("two"), false);
    }
  });
});
