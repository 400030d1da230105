import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { UsageError } from "../errors.js";
import { ARGUMENT_WARNING } from "../secret-value.js";
import { serviceError } from "../testing/fake-client.js";
import { testContext } from "../testing/test-context.js";
import { runPut } from "./put.js";

const created = {
  ARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/db-AbCdEf",
  VersionId: "v1",
};

describe("coffer put", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "coffer-put-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("creates the secret from a JSON file, with description, KMS key and tags", async () => {
    const file = join(dir, "db.json");
    await writeFile(file, '{"password":"hunter2"}\n');
    const t = testContext({ respond: () => created });

    await runPut(t.context, "prod/db", [], {
      file,
      description: "main database",
      kmsKeyId: "alias/coffer",
      tag: ["env=prod", "team=core"],
    });

    assert.deepEqual(t.sent, [
      {
        name: "CreateSecretCommand",
        input: {
          Name: "prod/db",
          SecretString: '{"password":"hunter2"}\n',
          Description: "main database",
          KmsKeyId: "alias/coffer",
          Tags: [
            { Key: "env", Value: "prod" },
            { Key: "team", Value: "core" },
          ],
        },
      },
    ]);
    assert.match(t.stdout.text, /ARN: +arn:aws:secretsmanager:.*prod\/db-AbCdEf\nVersionId: +v1\n/);
    assert.equal(t.stderr.text, "Created secret prod/db.\n");
  });

  it("refuses a file that is not JSON without quoting its contents, unless --raw", async () => {
    const file = join(dir, "token.txt");
    await writeFile(file, "hunter2-not-json");
    const t = testContext({ respond: () => created });

    await assert.rejects(runPut(t.context, "prod/token", [], { file }), (error: Error) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, /is not valid JSON \(add --raw/);
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
    assert.equal(t.sent.length, 0);

    await runPut(t.context, "prod/token", [], { file, raw: true });
    assert.equal(t.sent[0]?.input.SecretString, "hunter2-not-json");
  });

  it("reports a missing file by its path", async () => {
    const t = testContext();
    await assert.rejects(
      runPut(t.context, "x", [], { file: join(dir, "nope.json") }),
      /cannot read .*nope\.json: ENOENT/,
    );
  });

  it("reads standard input for --file -", async () => {
    const t = testContext({ respond: () => created, stdin: '{"token":"abc"}' });
    await runPut(t.context, "prod/api", [], { file: "-" });
    assert.equal(t.sent[0]?.input.SecretString, '{"token":"abc"}');
  });

  it("will not read --file - from a terminal, where typing would echo", async () => {
    const t = testContext({ isTTY: true });
    await assert.rejects(runPut(t.context, "x", [], { file: "-" }), UsageError);
  });

  it("turns KEY=VALUE pairs into a JSON object and warns about shell history", async () => {
    const t = testContext({ respond: () => created });
    await runPut(t.context, "prod/db", ["username=app", "password=s3cr=t"], {});
    assert.equal(t.sent[0]?.input.SecretString, '{"username":"app","password":"s3cr=t"}');
    assert.ok(t.stderr.text.startsWith(`${ARGUMENT_WARNING}\n`));
    assert.doesNotMatch(t.stderr.text, /s3cr=t/);
  });

  it("--quiet suppresses the warning", async () => {
    const t = testContext({ respond: () => created });
    await runPut(t.context, "prod/db", ["username=app"], { quiet: true });
    assert.doesNotMatch(t.stderr.text, /warning/);
  });

  it("prompts twice without echo for KEY=- and does not warn when no value is on the command line", async () => {
    const t = testContext({ respond: () => created, isTTY: true, answers: ["pw", "pw"] });
    await runPut(t.context, "prod/db", ["password=-"], {});
    assert.equal(t.sent[0]?.input.SecretString, '{"password":"pw"}');
    assert.deepEqual(t.prompter.asked, ["Value for password:", "Value for password (again):"]);
    assert.doesNotMatch(t.stderr.text, /warning/);
  });

  it("keeps a key named __proto__ as an ordinary field", async () => {
    const t = testContext({ respond: () => created });
    await runPut(t.context, "x", ["__proto__=a"], { quiet: true });
    assert.equal(t.sent[0]?.input.SecretString, '{"__proto__":"a"}');
  });

  it("prompts for the whole value on a terminal when no source is given", async () => {
    const t = testContext({ respond: () => created, isTTY: true, answers: ["hunter2", "hunter2"] });
    await runPut(t.context, "prod/pin", [], {});
    assert.equal(t.sent[0]?.input.SecretString, "hunter2");
  });

  it("stores nothing when the two prompted entries differ", async () => {
    const t = testContext({ isTTY: true, answers: ["hunter2", "hunter3"] });
    await assert.rejects(runPut(t.context, "prod/pin", [], {}), (error: Error) => {
      assert.match(error.message, /do not match/);
      assert.doesNotMatch(error.message, /hunter/);
      return true;
    });
    assert.equal(t.sent.length, 0);
  });

  it("rejects ambiguous or missing value sources before sending anything", async () => {
    const t = testContext();
    await assert.rejects(runPut(t.context, "x", ["a=b"], { file: "f.json" }), /not both/);
    await assert.rejects(runPut(t.context, "x", [], {}), /no value given/);
    await assert.rejects(runPut(t.context, "x", ["a=b"], { raw: true }), /--raw only applies to --file/);
    await assert.rejects(runPut(t.context, "x", ["a=-"], {}), /stdin is not a terminal/);
    await assert.rejects(runPut(t.context, "x", ["a=1", "a=2"], { quiet: true }), /key "a" is given twice/);
    await assert.rejects(runPut(t.context, "x", ["a=1"], { tag: ["novalue"] }), /--tag expects KEY=VALUE/);
    assert.equal(t.sent.length, 0);
  });

  it("does not echo an argument that is not KEY=VALUE: it may be the secret itself", async () => {
    const t = testContext();
    await assert.rejects(runPut(t.context, "x", ["hunter2"], {}), (error: Error) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, /value argument 1 is not KEY=VALUE/);
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
  });

  it("puts a new value when the secret already exists", async () => {
    const t = testContext({
      respond: (name) => {
        if (name === "CreateSecretCommand") throw serviceError("ResourceExistsException", "already exists");
        return { ARN: created.ARN, VersionId: "v2" };
      },
    });
    await runPut(t.context, "prod/db", ["password=x"], { quiet: true, description: "ignored", tag: ["a=b"] });

    assert.deepEqual(
      t.sent.map((command) => command.name),
      ["CreateSecretCommand", "PutSecretValueCommand"],
    );
    assert.deepEqual(t.sent[1]?.input, { SecretId: "prod/db", SecretString: '{"password":"x"}' });
    assert.match(t.stdout.text, /VersionId: +v2\n/);
    assert.match(t.stderr.text, /--description, --tag not applied/);
    assert.match(t.stderr.text, /Stored a new version of prod\/db/);
  });

  it("passes other CreateSecret errors through", async () => {
    const t = testContext({
      respond: () => {
        throw serviceError("InvalidRequestException", "scheduled for deletion");
      },
    });
    await assert.rejects(runPut(t.context, "x", ["a=b"], { quiet: true }), {
      name: "InvalidRequestException",
    });
    assert.equal(t.sent.length, 1);
  });
});
