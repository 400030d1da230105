import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CliError, UsageError } from "../errors.js";
import { ExitCode } from "../exit-codes.js";
import { testContext } from "../testing/test-context.js";
import { runGet } from "./get.js";

const createdDate = new Date("2024-05-01T12:34:56.789Z");

function secretResponse(fields: { SecretString?: string; SecretBinary?: Uint8Array }) {
  return {
    $metadata: { httpStatusCode: 200, requestId: "req-1" },
    ARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/db-AbCdEf",
    Name: "prod/db",
    VersionId: "v1",
    VersionStages: ["AWSCURRENT"],
    CreatedDate: createdDate,
    ...fields,
  };
}

const jsonSecret = secretResponse({ SecretString: '{"username":"app","password":"hunter2","port":5432}' });

describe("coffer get", () => {
  it("prints the whole SecretString with a newline", async () => {
    const t = testContext({ respond: () => jsonSecret });
    await runGet(t.context, "prod/db", {});
    assert.equal(t.stdout.text, '{"username":"app","password":"hunter2","port":5432}\n');
    assert.equal(t.stderr.text, "");
    assert.deepEqual(t.sent, [
      {
        name: "GetSecretValueCommand",
        input: { SecretId: "prod/db", VersionId: undefined, VersionStage: undefined },
      },
    ]);
  });

  it("passes --version-id and --version-stage", async () => {
    const t = testContext({ respond: () => jsonSecret });
    await runGet(t.context, "prod/db", { versionId: "v1", versionStage: "AWSPREVIOUS" });
    assert.deepEqual(t.sent[0]?.input, { SecretId: "prod/db", VersionId: "v1", VersionStage: "AWSPREVIOUS" });
  });

  it("--field prints a string field bare and other fields as JSON", async () => {
    const t = testContext({ respond: () => jsonSecret });
    await runGet(t.context, "prod/db", { field: "password" });
    await runGet(t.context, "prod/db", { field: "port" });
    assert.equal(t.stdout.text, "hunter2\n5432\n");
  });

  it("a missing field is exit code 1, names the field and never shows the value", async () => {
    const t = testContext({ respond: () => jsonSecret });
    await assert.rejects(runGet(t.context, "prod/db", { field: "pasword" }), (error: Error) => {
      assert.ok(error instanceof CliError);
      assert.equal(error.exitCode, ExitCode.Usage);
      assert.equal(error.message, 'secret prod/db has no field "pasword"');
      return true;
    });
    assert.equal(t.stdout.text, "");
  });

  it("--field on a value that is not a JSON object fails without quoting it", async () => {
    for (const SecretString of ["hunter2", "[1,2]", '"just a string"', "null"]) {
      const t = testContext({ respond: () => secretResponse({ SecretString }) });
      await assert.rejects(runGet(t.context, "prod/pin", { field: "password" }), (error: Error) => {
        assert.ok(error instanceof CliError);
        assert.equal(error.exitCode, ExitCode.Usage);
        assert.match(error.message, /is not a JSON object, so it has no field "password"/);
        assert.ok(!error.message.includes(SecretString));
        return true;
      });
    }
  });

  it("does not find inherited properties as fields", async () => {
    const t = testContext({ respond: () => jsonSecret });
    await assert.rejects(runGet(t.context, "prod/db", { field: "toString" }), /has no field "toString"/);
  });

  it("--json prints the response with ISO dates and without SDK metadata", async () => {
    const t = testContext({ respond: () => jsonSecret });
    await runGet(t.context, "prod/db", { json: true });
    const printed = JSON.parse(t.stdout.text);
    assert.equal(printed.CreatedDate, "2024-05-01T12:34:56.789Z");
    assert.equal(printed.SecretString, jsonSecret.SecretString);
    assert.equal(printed.Name, "prod/db");
    assert.deepEqual(printed.VersionStages, ["AWSCURRENT"]);
    assert.equal("$metadata" in printed, false);
  });

  it("prints a binary secret as base64, or its raw bytes with --binary", async () => {
    const bytes = new Uint8Array([0, 1, 2, 255, 10]);
    const t = testContext({ respond: () => secretResponse({ SecretBinary: bytes }) });
    await runGet(t.context, "prod/cert", {});
    assert.equal(t.stdout.text, `${Buffer.from(bytes).toString("base64")}\n`);

    const raw = testContext({ respond: () => secretResponse({ SecretBinary: bytes }) });
    await runGet(raw.context, "prod/cert", { binary: true });
    assert.deepEqual(raw.stdout.bytes, Buffer.from(bytes));

    const json = testContext({ respond: () => secretResponse({ SecretBinary: bytes }) });
    await runGet(json.context, "prod/cert", { json: true });
    assert.equal(JSON.parse(json.stdout.text).SecretBinary, "AAEC/wo=");
  });

  it("--binary on a string secret writes its UTF-8 bytes with no newline", async () => {
    const t = testContext({ respond: () => secretResponse({ SecretString: "pässword" }) });
    await runGet(t.context, "x", { binary: true });
    assert.deepEqual(t.stdout.bytes, Buffer.from("pässword", "utf8"));
  });

  it("rejects combined output modes before asking the server", async () => {
    const t = testContext({ respond: () => jsonSecret });
    await assert.rejects(runGet(t.context, "x", { json: true, field: "a" }), UsageError);
    await assert.rejects(runGet(t.context, "x", { json: true, binary: true }), UsageError);
    assert.equal(t.sent.length, 0);
  });
});
