// Tests scripts/test.mjs's hygiene check: a run whose tests leave files in the temp folder, or a
// process running, fails, names what was left, and still ends with the runner's summary lines.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const script = join(dirname(fileURLToPath(import.meta.url)), "test.mjs");
let scratch;

before(() => {
  scratch = mkdtempSync(join(tmpdir(), "coffer-runner-test-"));
});
after(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Runs test.mjs on fixture test files (`source`, or `files` names → sources), with its own parent
 * temp folder to look into afterwards.
 */
function runFixture(name, source, env = {}, files = { [`${name}.test.mjs`]: source }) {
  const root = join(scratch, name);
  const parentTmp = join(scratch, `${name}-tmp`);
  mkdirSync(root);
  mkdirSync(parentTmp);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(root, file), text);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, COFFER_TEST_ROOTS: root, TMPDIR: parentTmp, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.resume();
    child.on("close", (code) => resolve({ code, stdout, parentTmp }));
  });
}

const lastLines = (text) => text.trimEnd().split("\n").slice(-8);
const header = `import { test } from "node:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
`;

describe("scripts/test.mjs", () => {
  it("passes a clean run, prints nothing of its own, and removes its private temp folder", async () => {
    const run = await runFixture(
      "clean",
      `${header}test("clean", () => { if (!tmpdir().includes("coffer-test-run-")) throw new Error(tmpdir()); });`,
    );
    assert.equal(run.code, 0, run.stdout);
    assert.doesNotMatch(run.stdout, /not cleaned up/);
    assert.match(lastLines(run.stdout).join("\n"), /^# tests 1\n# suites 0\n# pass 1\n# fail 0\n/m);
    assert.deepEqual(readdirSync(run.parentTmp), []);
  });

  it("fails a run that leaves a folder in the temp dir, names it, and keeps the summary last", async () => {
    const run = await runFixture(
      "leaky",
      `${header}test("leaks", () => {
        const dir = mkdtempSync(join(tmpdir(), "leaked-"));
        writeFileSync(join(dir, "creds.json"), "{}");
      });`,
    );
    assert.equal(run.code, 1, run.stdout);
    assert.match(
      run.stdout,
      /# not cleaned up after the run:\n# the tests left 1 item\(s\) in the temp folder:\n# {3}leaked-\w+\/ \(creds\.json\)\n/,
    );
    const last = lastLines(run.stdout);
    assert.deepEqual(last.slice(0, 4), ["# tests 2", "# suites 0", "# pass 1", "# fail 1"]);
    assert.match(last.at(-1), /^# duration_ms /);
    assert.deepEqual(readdirSync(run.parentTmp), [], "the private folder is removed even so");
  });

  it("fails a run that leaves a process running, and kills it", async () => {
    const marker = join(scratch, "orphan-pid");
    const run = await runFixture(
      "orphan",
      `${header}test("starts a process and forgets it", () => {
        const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
        child.unref();
        writeFileSync(${JSON.stringify(marker)}, String(child.pid));
      });`,
    );
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stdout, /# processes started by the tests were still running \(killed now\)\n/);
    const pid = Number(readFileSync(marker, "utf8"));
    assert.throws(() => process.kill(pid, 0), { code: "ESRCH" }, "the forgotten process was killed");
    assert.deepEqual(lastLines(run.stdout).slice(0, 4), ["# tests 2", "# suites 0", "# pass 1", "# fail 1"]);
  });

  it("reports every result of many files run concurrently (no result lost at exit, nodejs/node#64833)", async () => {
    const files = {};
    for (let f = 0; f < 40; f++) {
      files[`f${f}.test.mjs`] =
        `import { test } from "node:test";\nfor (let t = 0; t < 50; t++) test("file ${f} test " + t + " with a reasonably long name", () => {});\n`;
    }
    const run = await runFixture("many", undefined, {}, files);
    assert.equal(run.code, 0, run.stdout.slice(-2000));
    assert.match(lastLines(run.stdout).join("\n"), /^# tests 2000\n# suites 0\n# pass 2000\n/m);
  });

  it("ends a hanging test file after the timeout, then kills what it started and reports what it left", async () => {
    const run = await runFixture(
      "hanging",
      `${header}test("waits for an event that never comes", async () => {
        mkdtempSync(join(tmpdir(), "hung-"));
        spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
        await new Promise(() => {});
      });`,
      { COFFER_TEST_TIMEOUT_MS: "1000" },
    );
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stdout, /timed out after 1000ms/);
    assert.match(run.stdout, /# processes started by the tests were still running \(killed now\)\n/);
    assert.match(run.stdout, /# {3}hung-\w+\/\n/);
    assert.match(lastLines(run.stdout).at(-1), /^# duration_ms /);
    assert.deepEqual(readdirSync(run.parentTmp), []);
  });
});
