import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type PostgresKit, postgresKit, requirePostgres } from "../testing/postgres.js";
import { requireTool } from "../testing/real-clients.js";
import { runPythonJson } from "../testing/run-python.js";
import { type ServerProcess, startServerProcess } from "../testing/server-process.js";

/**
 * The PostgreSQL built-in rotators end to end: boto3 calls rotate_secret on a real server process,
 * which changes the password in the machine's real PostgreSQL. Rotation is asynchronous (as in
 * AWS): the script waits for LastRotatedDate by reading DescribeSecret, bounded by a deadline.
 */

const singleUser = "arn:coffer:rotation:::builtin/postgresql-single-user";
const alternating = "arn:coffer:rotation:::builtin/postgresql-alternating-users";
const boto3 = requireTool("boto3");
const postgres = requirePostgres();

describe("PostgreSQL rotation through boto3", { skip: boto3.skip || postgres.skip }, () => {
  let server: ServerProcess;
  let home: string;
  let kit: PostgresKit;
  let dbname: string;
  let username: string;
  const password = randomBytes(12).toString("hex");

  before(async () => {
    kit = await postgresKit();
    dbname = kit.name("coffer_db");
    username = kit.name("app");
    await kit.sql(`CREATE DATABASE ${dbname}`);
    await kit.sql(`CREATE ROLE ${username} WITH LOGIN PASSWORD '${password}'`);
    server = await startServerProcess();
    home = mkdtempSync(join(tmpdir(), "coffer-rotation-pg-home-"));
  });
  after(async () => {
    await server?.stop();
    server?.cleanup();
    if (home) rmSync(home, { recursive: true, force: true });
    if (kit) {
      await kit.sql(`DROP DATABASE IF EXISTS ${dbname} WITH (FORCE)`);
      await kit.sql(`DROP ROLE IF EXISTS ${username}_clone`);
      await kit.sql(`DROP ROLE IF EXISTS ${username}`);
      await kit.close();
    }
  });

  // biome-ignore lint/suspicious/noExplicitAny: script output is asserted on field by field.
  function runPython(script: string, env: Record<string, string>): Promise<any> {
    return runPythonJson(boto3.python, script, { ...server.clientEnv, ...env, HOME: home });
  }

  const login = (user: string, pw: string) => ({
    host: "127.0.0.1",
    port: kit.admin.port,
    user,
    password: pw,
    database: dbname,
  });

  test("rotate_secret with the single-user rotator, then the alternating-users one", async () => {
    const secret = {
      engine: "postgres",
      host: "127.0.0.1",
      port: kit.admin.port,
      username,
      password,
      dbname,
    };
    const master = {
      engine: "postgres",
      host: "127.0.0.1",
      port: kit.admin.port,
      username: kit.admin.user,
      password: kit.admin.password,
    };
    const out = await runPython(
      `
import json, os, time
import boto3
from botocore.config import Config
sm = boto3.client("secretsmanager", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"],
                  config=Config(retries={"total_max_attempts": 1}))

def wait_rotated(secret_id, after=None):
    deadline = time.time() + 30
    while True:
        described = sm.describe_secret(SecretId=secret_id)
        last = described.get("LastRotatedDate")
        if (last is not None and last != after) or time.time() > deadline:
            return described
        time.sleep(0.05)

created = sm.create_secret(Name="pg/app", SecretString=os.environ["SECRET_JSON"])
rotated = sm.rotate_secret(SecretId="pg/app", RotationLambdaARN="${singleUser}",
                           ExternalSecretRotationMetadata=[{"Key": "PasswordLength", "Value": "30"}])
described = wait_rotated("pg/app")
single = json.loads(sm.get_secret_value(SecretId="pg/app")["SecretString"])

master = sm.create_secret(Name="pg/master", SecretString=os.environ["MASTER_JSON"],
                          Tags=[{"Key": "coffer:rotation-master-for", "Value": "pg/app"}])
value = dict(single, masterarn=master["ARN"])
sm.put_secret_value(SecretId="pg/app", SecretString=json.dumps(value))
before = sm.describe_secret(SecretId="pg/app").get("LastRotatedDate")
alt = sm.rotate_secret(SecretId="pg/app", RotationLambdaARN="${alternating}")
described_alt = wait_rotated("pg/app", before)
alternated = sm.get_secret_value(SecretId="pg/app")
print(json.dumps({
    "createdVersion": created["VersionId"], "rotatedVersion": rotated["VersionId"],
    "stages": described["VersionIdsToStages"], "lambda": described["RotationLambdaARN"],
    "single": single,
    "altVersion": alt["VersionId"], "altCurrentVersion": alternated["VersionId"],
    "altLambda": described_alt["RotationLambdaARN"],
    "alternated": json.loads(alternated["SecretString"]),
}))
`,
      { SECRET_JSON: JSON.stringify(secret), MASTER_JSON: JSON.stringify(master) },
    );
    assert.equal(out.lambda, singleUser);
    assert.deepEqual(out.stages, {
      [out.rotatedVersion]: ["AWSCURRENT"],
      [out.createdVersion]: ["AWSPREVIOUS"],
    });
    assert.equal(out.single.username, username);
    assert.equal(out.single.password.length, 30);
    assert.equal(await kit.canLogin(login(username, out.single.password)), true);
    assert.equal(await kit.canLogin(login(username, password)), false, "the old password stopped working");

    assert.equal(out.altLambda, alternating);
    assert.equal(out.altCurrentVersion, out.altVersion);
    assert.equal(out.alternated.username, `${username}_clone`);
    assert.equal(await kit.canLogin(login(out.alternated.username, out.alternated.password)), true);
    assert.equal(
      await kit.canLogin(login(username, out.single.password)),
      true,
      "the previous user still works",
    );
  });
});
