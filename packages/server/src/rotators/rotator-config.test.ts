import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { firstResolver } from "../domain/rotation/resolvers.js";
import type { Rotator } from "../domain/rotation/rotator.js";
import { ConfiguredRotatorResolver, loadRotatorResolver } from "./configured-resolver.js";
import { LocalLambdaRotator } from "./local-lambda-rotator.js";
import { RotatorConfigError, readRotatorsFile, rotatorsFileOf } from "./rotator-config.js";
import { WebhookRotator } from "./webhook-rotator.js";

const arn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
let dir: string;
const env = {
  PATH: process.env.PATH ?? "",
  HOME: process.env.HOME ?? "",
  HOOK_SECRET: "0123456789abcdef-shared",
};

function write(config: unknown): string {
  const path = join(dir, "rotators.json");
  writeFileSync(path, typeof config === "string" ? config : JSON.stringify(config));
  return path;
}

function problemsOf(config: unknown): string {
  try {
    readRotatorsFile({ path: write(config), required: true, env });
  } catch (error) {
    assert.ok(error instanceof RotatorConfigError, String(error));
    return error.message;
  }
  return assert.fail("expected a RotatorConfigError");
}

describe("rotators.json", () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "coffer-rotators-"));
    writeFileSync(join(dir, "rotate.py"), "def lambda_handler(event, context):\n    pass\n");
    writeFileSync(join(dir, "rotate.mjs"), "export async function handler() {}\n");
    writeFileSync(join(dir, "hook.secret"), "file-secret-0123456789\n");
    writeFileSync(join(dir, "short.secret"), "CANARY-tiny\n");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("maps Lambda ARNs to local handlers and webhooks; relative paths from the file's folder", () => {
    const specs = readRotatorsFile({
      path: write({
        [arn("py")]: {
          handler: "./rotate.py",
          timeoutSeconds: 120,
          environment: { EXCLUDE_CHARACTERS: "/@" },
        },
        [arn("js")]: { handler: "rotate.mjs", function: "handler" },
        [arn("hook")]: { webhook: "https://rotator.example.com/coffer", secretEnv: "HOOK_SECRET" },
        [arn("hook-file")]: {
          webhook: "http://127.0.0.1:9000/",
          secretFile: "hook.secret",
          timeoutSeconds: 5,
        },
      }),
      required: true,
      env,
    });
    const [py, js, hook, hookFile] = specs;
    assert.equal(py?.kind, "handler");
    if (py?.kind === "handler") {
      assert.equal(py.file, join(dir, "rotate.py"));
      assert.equal(py.runtime, "python");
      assert.equal(py.handlerName, "lambda_handler");
      assert.equal(py.timeoutMs, 120_000);
      assert.deepEqual(py.environment, { EXCLUDE_CHARACTERS: "/@" });
      assert.match(py.interpreter, /^\//, "the interpreter resolved to an absolute path at start");
    }
    assert.ok(
      js?.kind === "handler" &&
        js.runtime === "node" &&
        js.interpreter === process.execPath &&
        js.timeoutMs === 30_000,
    );
    assert.ok(hook?.kind === "webhook" && hook.secret.toString() === env.HOOK_SECRET);
    assert.ok(
      hookFile?.kind === "webhook" &&
        hookFile.secret.toString() === "file-secret-0123456789" &&
        hookFile.timeoutMs === 5_000,
    );
  });

  test("every mistake is reported at once, each with its entry and field, never a secret", () => {
    const message = problemsOf({
      "my-rotator": { handler: "./rotate.py" },
      [arn("missing")]: { handler: "./nope.py" },
      [arn("both")]: { handler: "./rotate.py", webhook: "https://x.example" },
      [arn("ext")]: { handler: "./rotate.sh" },
      [arn("env")]: { handler: "./rotate.py", environment: { AWS_REGION: "eu-west-1", "bad-name": "x" } },
      [arn("typo")]: { handler: "./rotate.py", timeout: 3 },
      [arn("slow")]: { handler: "./rotate.py", timeoutSeconds: 901 },
      [arn("ftp")]: { webhook: "ftp://x.example", secretEnv: "HOOK_SECRET" },
      [arn("nosecret")]: { webhook: "https://x.example" },
      [arn("unset")]: { webhook: "https://x.example", secretEnv: "NOT_SET_ANYWHERE" },
      [arn("short")]: { webhook: "https://x.example", secretFile: "short.secret" },
      [arn("python")]: { handler: "./rotate.py", interpreter: "/nonexistent/python3" },
    });
    for (const expected of [
      '"my-rotator": not a Lambda function ARN',
      `"${arn("missing")}".handler: ${join(dir, "nope.py")} does not exist or is not a file`,
      `"${arn("both")}": give exactly one of "handler" (a local file), "webhook" (a URL) or "awsLambda"`,
      `"${arn("ext")}".handler: ./rotate.sh: a .py, .js, .mjs or .cjs file`,
      `"${arn("env")}".environment.AWS_REGION: reserved: Coffer sets it for the function`,
      `"${arn("env")}".environment.bad-name: not a valid variable name`,
      `"${arn("typo")}".timeout: unknown field`,
      `"${arn("slow")}".timeoutSeconds: a whole number of seconds from 1 to 900`,
      `"${arn("ftp")}".webhook: an http:// or https:// URL`,
      `"${arn("nosecret")}": give the shared secret with exactly one of "secretEnv"`,
      `"${arn("unset")}".secretEnv: NOT_SET_ANYWHERE is not set in the server's environment`,
      `"${arn("short")}".secretFile: the shared secret must be at least 16 bytes`,
      `"${arn("python")}".interpreter: /nonexistent/python3 does not run (ENOENT)`,
    ]) {
      assert.ok(message.includes(expected), `missing: ${expected}\nin: ${message}`);
    }
    assert.ok(!message.includes("CANARY-tiny"), "a secret file's content is never quoted");
  });

  test("a file that is not JSON, or not an object, is refused with its path", () => {
    assert.match(problemsOf("{ nope"), /rotators\.json: not valid JSON/);
    assert.match(problemsOf([]), /expected an object mapping Lambda function ARNs to rotators/);
  });

  test("COFFER_ROTATORS names the file (then it must exist); else rotators.json in the data folder, if present", () => {
    assert.deepEqual(rotatorsFileOf("/data", {}), { path: "/data/rotators.json", required: false });
    assert.deepEqual(rotatorsFileOf("/data", { COFFER_ROTATORS: "/etc/coffer/rotators.json" }), {
      path: "/etc/coffer/rotators.json",
      required: true,
    });
    assert.deepEqual(readRotatorsFile({ path: join(dir, "absent.json"), required: false, env }), []);
    assert.throws(
      () => readRotatorsFile({ path: join(dir, "absent.json"), required: true, env }),
      /absent\.json: no such rotators file \(COFFER_ROTATORS\)/,
    );
    const empty = loadRotatorResolver({ home: join(dir, "no-home"), env: {} });
    assert.equal(empty.resolve(arn("anything")), undefined);
  });

  test("the resolver finds a rotator by ARN, an alias falls back to the function, and chains try in order", () => {
    write({
      [arn("py")]: { handler: "./rotate.py" },
      [arn("hook")]: { webhook: "https://rotator.example.com/coffer?key=CANARY", secretEnv: "HOOK_SECRET" },
    });
    const resolver = loadRotatorResolver({ home: dir, env });
    assert.ok(resolver.resolve(arn("py")) instanceof LocalLambdaRotator);
    assert.ok(resolver.resolve(`${arn("py")}:prod`) instanceof LocalLambdaRotator);
    const hook = resolver.resolve(arn("hook"));
    assert.ok(hook instanceof WebhookRotator);
    assert.equal(hook.description, "webhook https://rotator.example.com/coffer");
    assert.equal(resolver.resolve(arn("other")), undefined);
    assert.deepEqual(resolver.functionArns, [arn("py"), arn("hook")]);

    const builtin: Rotator = { description: "builtin", invoke: async () => undefined };
    const chain = firstResolver({ resolve: (a) => (a === arn("py") ? builtin : undefined) }, resolver);
    assert.equal(chain.resolve(arn("py")), builtin);
    assert.ok(chain.resolve(arn("hook")) instanceof WebhookRotator);
    assert.equal(new ConfiguredRotatorResolver([]).resolve(arn("py")), undefined);
  });
});
