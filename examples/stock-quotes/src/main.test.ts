// Runs the real CLI (dist/main.js) as a child process, the way the README does, with the secret in
// @coffer/client's "files" source (COFFER_SOURCE=files:<dir>) and Alpha Vantage replaced by a local
// server answering the recorded response.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  type AlphaVantageFixture,
  alphaVantageAnswers,
  jsonAnswer,
  recordedIntraday,
  startAlphaVantageFixture,
} from "./testing/alpha-vantage-fixture.js";

const canary = "CANARYKEY7F3A9C5";
const mainScript = fileURLToPath(new URL("./main.js", import.meta.url));

let fixture: AlphaVantageFixture;
let secretsDir: string;

before(async () => {
  fixture = await startAlphaVantageFixture();
  secretsDir = mkdtempSync(join(tmpdir(), "stock-quotes-secrets-"));
  // `coffer put alpha-vantage apiKey=…` stores this JSON; the files source reads the same from a file.
  writeFileSync(join(secretsDir, "alpha-vantage"), `${JSON.stringify({ apiKey: canary })}\n`);
  // A Kubernetes-style secret volume: a folder of keys reads as {"apiKey": "…"}.
  mkdirSync(join(secretsDir, "k8s-alpha-vantage"));
  writeFileSync(join(secretsDir, "k8s-alpha-vantage", "apiKey"), `${canary}\n`);
  writeFileSync(join(secretsDir, "wrong-field"), JSON.stringify({ token: canary }));
});
after(async () => {
  await fixture.close();
  rmSync(secretsDir, { recursive: true, force: true });
});
beforeEach(() => {
  fixture.requests.length = 0;
  fixture.answer = { contentType: "application/json", body: recordedIntraday };
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runMain(args: string[] = [], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [mainScript, ...args],
      {
        // Only what the example needs: no AWS credentials or endpoints leak in from the test's environment.
        env: {
          PATH: process.env.PATH ?? "",
          HOME: secretsDir,
          COFFER_SOURCE: `files:${secretsDir}`,
          ALPHA_VANTAGE_BASE_URL: fixture.url,
          ...env,
        },
        timeout: 20_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function assertNoKey(run: Run) {
  assert.equal(`${run.stdout}\n${run.stderr}`.includes(canary), false, "the API key was printed");
}

test("prints the latest ten bars with the key read from the secret", async () => {
  const run = await runMain();
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, "");
  const lines = run.stdout.trimEnd().split("\n");
  assert.equal(lines[0], "AAPL every 5min, last refreshed 2024-11-27 15:55:00 US/Eastern");
  assert.equal(lines[1], "");
  assert.equal(lines[2], "time (US/Eastern)        open      high       low     close     volume");
  assert.match(lines[3] ?? "", /^-+( {2}-+){5}$/);
  assert.equal(lines[4], "2024-11-27 15:55:00  234.8700  235.0400  234.6500  234.9300  1,658,094");
  assert.equal(lines.length, 4 + 10);
  assert.match(lines.at(-1) ?? "", /^2024-11-27 15:10:00 {2}234\.1800 /);
  assertNoKey(run);

  assert.equal(fixture.requests.length, 1);
  const request = fixture.requests[0];
  assert.equal(request?.searchParams.get("apikey"), canary, "Alpha Vantage received the key from the secret");
  assert.equal(request?.searchParams.get("function"), "TIME_SERIES_INTRADAY");
  assert.equal(request?.searchParams.get("symbol"), "AAPL");
  assert.equal(request?.searchParams.get("interval"), "5min");
});

test("reading through the AWS SDK (source coffer) shows no SDK Node-version notice", async () => {
  // Nothing listens on port 1: the SDK client is built (when the SDK would warn), then the read fails.
  const run = await runMain([], {
    COFFER_SOURCE: "coffer:http://127.0.0.1:1",
    AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE00",
    AWS_SECRET_ACCESS_KEY: "not-a-real-key",
    AWS_EC2_METADATA_DISABLED: "true",
  });
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /connection refused/);
  assert.doesNotMatch(run.stderr, /NodeVersionSupportWarning|AWS SDK for JavaScript/);
});

test("--bars, and SECRET_ID naming a Kubernetes-style secret folder", async () => {
  const run = await runMain(["--bars", "3"], { SECRET_ID: "k8s-alpha-vantage" });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout.trimEnd().split("\n").length, 4 + 3);
  assert.equal(fixture.requests[0]?.searchParams.get("apikey"), canary);
  assertNoKey(run);
});

test("Alpha Vantage's rate-limit Note: exit 1 with a clear message and no key", async () => {
  fixture.answer = jsonAnswer(alphaVantageAnswers.rateLimitNote);
  const run = await runMain();
  assert.equal(run.code, 1);
  assert.equal(run.stdout, "");
  assert.match(
    run.stderr,
    /^stock-quotes: Alpha Vantage rate limit reached: Thank you for using Alpha Vantage!/,
  );
  assertNoKey(run);
});

test("a bad key (Error Message): exit 1, and the key is not repeated", async () => {
  fixture.answer = jsonAnswer(alphaVantageAnswers.invalidKey);
  const run = await runMain();
  assert.equal(run.code, 1);
  assert.match(run.stderr, /Alpha Vantage rejected the request: the parameter apikey is invalid or missing/);
  assertNoKey(run);
});

test("a secret without an apiKey field: exit 1 before calling Alpha Vantage", async () => {
  const run = await runMain([], { SECRET_ID: "wrong-field" });
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /secret "wrong-field" has no "apiKey" text field; store it with: coffer put wrong-field apiKey=/,
  );
  assert.equal(fixture.requests.length, 0);
  assertNoKey(run);
});

test("no such secret: exit 1 naming it", async () => {
  const run = await runMain([], { SECRET_ID: "nowhere" });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^stock-quotes: .*nowhere/);
  assert.equal(fixture.requests.length, 0);
});

test("bad usage: exit 1", async () => {
  const run = await runMain(["--bars", "0"]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /--bars must be a whole number from 1 to 100/);
  assert.equal(fixture.requests.length, 0);
});
