import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
 * The real `aws` CLI (v1 or v2) against a real Coffer server process: every command below is what
 * a user would type, pointed at Coffer by `--endpoint-url`. Each invocation costs a few hundred
 * milliseconds, so the whole file stays under 40 of them.
 */

const { skip } = requireTool("aws");

let server: ServerProcess;
let home: string;

interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `aws secretsmanager <operation> <args…>` against the server; never throws on a non-zero exit. */
function aws(
  operation: string,
  args: string[] = [],
  envOverrides: Record<string, string> = {},
): Promise<CliResult> {
  const argv = ["secretsmanager", operation, ...args, "--endpoint-url", server.url, "--output", "json"];
  const env = {
    ...server.clientEnv,
    PATH: process.env.PATH ?? "",
    HOME: home,
    AWS_PAGER: "",
    AWS_MAX_ATTEMPTS: "1",
    ...envOverrides,
  };
  return new Promise((resolve) => {
    execFile("aws", argv, { env, timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

/** The JSON a successful command printed. */
// biome-ignore lint/suspicious/noExplicitAny: CLI output is asserted on field by field.
async function awsJson(operation: string, args: string[] = []): Promise<any> {
  const result = await aws(operation, args);
  assert.equal(result.status, 0, `aws ${operation} failed (${result.status}):\n${result.stderr}`);
  return result.stdout.trim() === "" ? {} : JSON.parse(result.stdout);
}

/** Asserts the command failed and the CLI parsed the given AWS error code from the response. */
async function awsFails(
  operation: string,
  args: string[],
  code: string,
  options: { message?: RegExp; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const result = await aws(operation, args, options.env);
  assert.notEqual(result.status, 0, `aws ${operation} should have failed; stdout:\n${result.stdout}`);
  // v1 exits 255 on a service error, v2 exits 254.
  assert.ok([254, 255].includes(result.status), `exit code ${result.status}; stderr:\n${result.stderr}`);
  assert.match(result.stderr, new RegExp(`An error occurred \\(${code}\\)`), result.stderr);
  if (options.message) assert.match(result.stderr, options.message);
  return result;
}

/** The `x-amzn-requestid` response header and HTTP status that `--debug` logged. */
function debugResponse(stderr: string): { requestId: string | undefined; statuses: number[] } {
  const requestId = /['"]x-amzn-requestid['"]:\s*['"]([^'"]+)['"]/i.exec(stderr)?.[1];
  const statuses = [...stderr.matchAll(/"POST \/ HTTP\/1\.1" (\d{3})/g)].map((m) => Number(m[1]));
  return { requestId, statuses };
}

/** CLI v1 prints timestamps as the wire's epoch seconds, v2 as ISO 8601 strings. */
function epochMs(value: unknown): number {
  return typeof value === "number" ? value * 1000 : Date.parse(String(value));
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("the aws CLI against a real Coffer server", { skip }, () => {
  before(async () => {
    server = await startServerProcess();
    home = mkdtempSync(join(tmpdir(), "coffer-aws-cli-home-"));
  });
  after(async () => {
    await server.stop();
    server.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  describe("the seed workflow through the aws CLI", () => {
    test("create, list, put, update, then read the JSON back", async () => {
      const created = await awsJson("create-secret", [
        "--name",
        "alpha-vantage",
        "--secret-string",
        '{"apiKey":"first"}',
      ]);
      assert.match(
        created.ARN,
        new RegExp(
          `^arn:aws:secretsmanager:${testRegion}:${testAccountId}:secret:alpha-vantage-[A-Za-z0-9]{6}$`,
        ),
      );
      assert.equal(created.Name, "alpha-vantage");
      assert.match(created.VersionId, uuidPattern);

      const listed = await awsJson("list-secrets");
      assert.ok(
        listed.SecretList.some(
          (s: { Name: string; ARN: string }) => s.Name === "alpha-vantage" && s.ARN === created.ARN,
        ),
      );

      const put = await awsJson("put-secret-value", [
        "--secret-id",
        "alpha-vantage",
        "--secret-string",
        '{"apiKey":"second"}',
      ]);
      assert.deepEqual(put.VersionStages, ["AWSCURRENT"]);
      const updated = await awsJson("update-secret", [
        "--secret-id",
        created.ARN,
        "--secret-string",
        '{"apiKey":"third"}',
        "--description",
        "Alpha Vantage",
      ]);
      assert.equal(updated.Name, "alpha-vantage");
      assert.match(updated.VersionId, uuidPattern);

      const read = await awsJson("get-secret-value", ["--secret-id", "alpha-vantage"]);
      assert.equal(JSON.parse(read.SecretString).apiKey, "third");
      assert.deepEqual(read.VersionStages, ["AWSCURRENT"]);
      assert.equal(read.VersionId, updated.VersionId);
    });

    test("describe-secret shows AWSCURRENT/AWSPREVIOUS; list-secret-version-ids --include-deprecated", async () => {
      const described = await awsJson("describe-secret", ["--secret-id", "alpha-vantage"]);
      assert.equal(described.Description, "Alpha Vantage");
      const createdAgo = Date.now() - epochMs(described.CreatedDate);
      assert.ok(createdAgo >= 0 && createdAgo < 120_000, `CreatedDate ${described.CreatedDate}`);
      const stages = Object.values(described.VersionIdsToStages as Record<string, string[]>)
        .flat()
        .sort();
      assert.deepEqual(stages, ["AWSCURRENT", "AWSPREVIOUS"]);

      const versions = await awsJson("list-secret-version-ids", [
        "--secret-id",
        "alpha-vantage",
        "--include-deprecated",
      ]);
      assert.equal(versions.Name, "alpha-vantage");
      assert.equal(versions.Versions.length, 3);
      const byStage = (stage: string) =>
        versions.Versions.filter((v: { VersionStages?: string[] }) =>
          (v.VersionStages ?? []).includes(stage),
        );
      assert.equal(byStage("AWSCURRENT").length, 1);
      assert.equal(byStage("AWSPREVIOUS").length, 1);
    });

    test("tags: tag-resource, list-secrets --filters Key=tag-key, untag-resource", async () => {
      await awsJson("tag-resource", [
        "--secret-id",
        "alpha-vantage",
        "--tags",
        "Key=team,Value=data",
        "Key=env,Value=prod",
      ]);
      const byTag = await awsJson("list-secrets", ["--filters", "Key=tag-key,Values=team"]);
      assert.deepEqual(
        byTag.SecretList.map((s: { Name: string }) => s.Name),
        ["alpha-vantage"],
      );
      assert.deepEqual(byTag.SecretList[0].Tags, [
        { Key: "team", Value: "data" },
        { Key: "env", Value: "prod" },
      ]);
      await awsJson("untag-resource", ["--secret-id", "alpha-vantage", "--tag-keys", "team"]);
      const afterUntag = await awsJson("list-secrets", ["--filters", "Key=tag-key,Values=team"]);
      assert.deepEqual(afterUntag.SecretList, []);
    });

    test("binary values round-trip through --secret-binary fileb://", async () => {
      const bytes = Buffer.from([0, 1, 2, 127, 128, 250, 255]);
      const file = join(home, "secret.bin");
      writeFileSync(file, bytes);
      await awsJson("create-secret", ["--name", "cli-binary", "--secret-binary", `fileb://${file}`]);
      const read = await awsJson("get-secret-value", ["--secret-id", "cli-binary"]);
      assert.equal(read.SecretString, undefined);
      assert.deepEqual([...Buffer.from(read.SecretBinary, "base64")], [...bytes]);
    });

    test("get-random-password --password-length 24 --exclude-punctuation (and the request id header)", async () => {
      const result = await aws("get-random-password", [
        "--password-length",
        "24",
        "--exclude-punctuation",
        "--debug",
      ]);
      assert.equal(result.status, 0, result.stderr);
      const { RandomPassword } = JSON.parse(result.stdout);
      assert.equal(RandomPassword.length, 24);
      assert.match(RandomPassword, /^[A-Za-z0-9]{24}$/);
      const debug = debugResponse(result.stderr);
      assert.match(debug.requestId ?? "", uuidPattern, "a successful response carries x-amzn-RequestId");
      assert.deepEqual(debug.statuses, [200]);
    });

    test("list-secrets pagination with --page-size and --max-items returns each secret once", async () => {
      const names = ["cli-page-1", "cli-page-2", "cli-page-3"];
      for (const name of names) await awsJson("create-secret", ["--name", name, "--secret-string", name]);
      const filter = ["--filters", "Key=name,Values=cli-page-", "--sort-order", "asc"];

      // --page-size 1: the CLI follows NextToken itself, one HTTP request per secret.
      const all = await awsJson("list-secrets", [...filter, "--page-size", "1"]);
      assert.deepEqual(
        all.SecretList.map((s: { Name: string }) => s.Name),
        names,
      );
      assert.equal(all.NextToken, undefined);

      // --max-items 2: a truncated answer with a CLI token, resumed by --starting-token.
      const first = await awsJson("list-secrets", [...filter, "--page-size", "1", "--max-items", "2"]);
      assert.equal(first.SecretList.length, 2);
      assert.equal(typeof first.NextToken, "string");
      const rest = await awsJson("list-secrets", [
        ...filter,
        "--page-size",
        "1",
        "--max-items",
        "2",
        "--starting-token",
        first.NextToken,
      ]);
      assert.equal(rest.NextToken, undefined);
      const seen = [...first.SecretList, ...rest.SecretList].map((s: { Name: string }) => s.Name);
      assert.deepEqual(seen, names);
    });

    test("batch-get-secret-value --secret-id-list reports a missing id as an error", async () => {
      const batch = await awsJson("batch-get-secret-value", [
        "--secret-id-list",
        "alpha-vantage",
        "cli-page-1",
        "cli-missing",
      ]);
      const values = Object.fromEntries(
        batch.SecretValues.map((v: { Name: string; SecretString: string }) => [v.Name, v.SecretString]),
      );
      assert.deepEqual(values, { "alpha-vantage": '{"apiKey":"third"}', "cli-page-1": "cli-page-1" });
      assert.deepEqual(
        batch.Errors.map((e: { SecretId: string; ErrorCode: string }) => [e.SecretId, e.ErrorCode]),
        [["cli-missing", "ResourceNotFoundException"]],
      );
    });

    test("delete with a recovery window, refused read, restore, then force delete", async () => {
      const deleted = await awsJson("delete-secret", [
        "--secret-id",
        "alpha-vantage",
        "--recovery-window-in-days",
        "7",
      ]);
      const days = (epochMs(deleted.DeletionDate) - Date.now()) / 86_400_000;
      assert.ok(days > 6.9 && days <= 7, `deletion in ${days} days (${deleted.DeletionDate})`);
      await awsFails("get-secret-value", ["--secret-id", "alpha-vantage"], "InvalidRequestException", {
        message: /marked for deletion/,
      });

      await awsJson("restore-secret", ["--secret-id", "alpha-vantage"]);
      const restored = await awsJson("get-secret-value", ["--secret-id", "alpha-vantage"]);
      assert.equal(JSON.parse(restored.SecretString).apiKey, "third");

      const forced = await awsJson("delete-secret", [
        "--secret-id",
        "alpha-vantage",
        "--force-delete-without-recovery",
      ]);
      assert.equal(forced.Name, "alpha-vantage");
      await awsFails("get-secret-value", ["--secret-id", "alpha-vantage"], "ResourceNotFoundException");
    });
  });

  describe("AWS-exact answers through the aws CLI (issue 10)", () => {
    test("create-secret --type, then describe-secret and list-secrets show what AWS shows", async () => {
      const created = await awsJson("create-secret", [
        "--name",
        "cli-exact",
        "--secret-string",
        "v1",
        "--type",
        "api-key",
      ]);
      assert.deepEqual(Object.keys(created).sort(), ["ARN", "Name", "VersionId"], "no ReplicationStatus");
      const described = await awsJson("describe-secret", ["--secret-id", "cli-exact"]);
      assert.equal(described.Type, "api-key");
      for (const absent of ["Tags", "RotationEnabled", "PrimaryRegion", "ReplicationStatus"]) {
        assert.ok(!(absent in described), `describe-secret sends no ${absent}`);
      }
      const listed = await awsJson("list-secrets", ["--filters", "Key=name,Values=cli-exact"]);
      const entry = listed.SecretList.find((s: { Name: string }) => s.Name === "cli-exact");
      assert.equal(entry.Type, "api-key");
      assert.deepEqual(entry.SecretVersionsToStages, { [created.VersionId]: ["AWSCURRENT"] });
      const versions = await awsJson("list-secret-version-ids", ["--secret-id", "cli-exact"]);
      assert.deepEqual(versions.Versions[0].KmsKeyIds, ["DefaultEncryptionKey"]);
    });
  });

  describe("errors through the aws CLI", { concurrency: true }, () => {
    test("ResourceNotFoundException, with HTTP 400 and x-amzn-RequestId", async () => {
      const result = await awsFails(
        "get-secret-value",
        ["--secret-id", "cli-no-such-secret", "--debug"],
        "ResourceNotFoundException",
      );
      assert.match(result.stderr, /when calling the GetSecretValue operation/);
      const debug = debugResponse(result.stderr);
      assert.match(debug.requestId ?? "", uuidPattern, "an error response carries x-amzn-RequestId");
      assert.deepEqual(debug.statuses, [400]);
    });
    test("ResourceExistsException", async () => {
      await awsFails(
        "create-secret",
        ["--name", "cli-binary", "--secret-string", "x"],
        "ResourceExistsException",
      );
    });
    test("ValidationException for a bad name, as AWS answers it", async () => {
      await awsFails(
        "create-secret",
        ["--name", "bad name!", "--secret-string", "x"],
        "ValidationException",
        { message: /Invalid name\. Must be a valid name containing alphanumeric characters/ },
      );
    });
    test("InvalidRequestException for rotate-secret with no rotation function configured", async () => {
      await awsFails("rotate-secret", ["--secret-id", "cli-binary"], "InvalidRequestException", {
        message: /doesn't already have a Lambda function ARN configured/,
      });
    });
    test("ValidationException for MaxResults out of the model's range", async () => {
      // botocore checks only the minimum of a range, so 1000 reaches the server.
      await awsFails("list-secrets", ["--max-results", "1000"], "ValidationException", {
        message: /maxResults/i,
      });
    });
    test("InvalidNextTokenException for a bad NextToken", async () => {
      await awsFails("list-secrets", ["--next-token", "garbage"], "InvalidNextTokenException");
    });
    test("UnrecognizedClientException for an unknown access key", async () => {
      await awsFails("list-secrets", [], "UnrecognizedClientException", {
        env: { AWS_ACCESS_KEY_ID: "AKIAUNKNOWN000000000", AWS_SECRET_ACCESS_KEY: "whatever-secret-000000" },
      });
    });
    test("InvalidSignatureException for a wrong secret key", async () => {
      await awsFails("list-secrets", [], "InvalidSignatureException", {
        env: { AWS_SECRET_ACCESS_KEY: "not-the-right-secret-key" },
      });
    });
  });
});
