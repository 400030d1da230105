#!/usr/bin/env node
// Runs every compiled test file (`*.test.js` under packages/*/dist and examples/*/dist, plus this
// folder's own `*.test.mjs`) with Node's test runner. Node 20's `--test` takes no glob, so the files
// are listed here. Arguments are substrings: only test files whose path contains one of them run.
//
// Hygiene: the tests run with TMPDIR set to a fresh private folder made for this run (inside the
// caller's temp folder, so concurrent runs never see each other's files). When the run ends, anything
// left in that folder, and any process the tests started that is still running (the runner gets its
// own process group), fails the run: the list is printed just before the runner's summary, the
// summary counts it as one more failed test, and the exit code is non-zero. The folder is removed
// and the leftover processes are killed either way. The runner's summary lines (`# tests N`,
// `# pass N`, `# fail N`, …) stay the last lines of the output.
//
// COFFER_TEST_ROOTS (comma-separated folders) replaces the folders searched for test files, and
// COFFER_TEST_TIMEOUT_MS the timeout below; the runner's own test uses them.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

function findTests(dir) {
  const found = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (entry === "node_modules") continue;
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (entry.endsWith(".test.js") || entry.endsWith(".test.mjs")) found.push(path);
  }
  return found;
}

function testRoots() {
  if (process.env.COFFER_TEST_ROOTS) return process.env.COFFER_TEST_ROOTS.split(",");
  const dists = ["packages", "examples"].flatMap((folder) =>
    readdirSync(join(repoRoot, folder)).map((pkg) => join(repoRoot, folder, pkg, "dist")),
  );
  return [...dists, join(repoRoot, "scripts")];
}

/** What a run left in its private temp folder: each entry, with a few of the files inside. */
function leftoversIn(folder) {
  return readdirSync(folder).map((entry) => {
    const path = join(folder, entry);
    if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) return entry;
    const inside = listFiles(path).slice(0, 5);
    return inside.length === 0 ? `${entry}/` : `${entry}/ (${inside.join(", ")})`;
  });
}

function listFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listFiles(path));
    else files.push(relative(dir, path));
  }
  return files;
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits (up to `ms`) for the process group to empty; processes just killed take a moment to go. */
async function groupGone(pgid, ms) {
  const deadline = Date.now() + ms;
  while (groupAlive(pgid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

const summaryStart = /^(# |ℹ )tests \d+$/;

/** Counts the leftover check as one more failed test in the runner's summary. */
function countFailure(line) {
  return line.replace(
    /^(# |ℹ )(tests|fail) (\d+)$/,
    (_, prefix, name, n) => `${prefix}${name} ${Number(n) + 1}`,
  );
}

const filter = process.argv.slice(2);
const files = testRoots()
  .filter((root) => statSync(root, { throwIfNoEntry: false })?.isDirectory())
  .flatMap(findTests)
  .filter((file) => filter.length === 0 || filter.some((f) => file.includes(f)))
  .sort();

if (files.length === 0) {
  console.error("no test files found under packages/*/dist or examples/*/dist: run `tsc -b` first");
  process.exit(1);
}

// A run started from inside a test (this script's own test) must report as a run of its own.
const { NODE_TEST_CONTEXT: _, ...env } = process.env;
// A test file that hangs (a wait for an event that never comes) fails after this long instead of
// holding the run forever; Node 20 applies it to each test file, later versions to each test.
const timeoutMs = Number(process.env.COFFER_TEST_TIMEOUT_MS ?? 600_000);
const runTmp = mkdtempSync(join(tmpdir(), "coffer-test-run-"));
// Named either way: Node 20 and 22 default to TAP when the output is not a terminal, Node 24 to
// spec. CI and this script's summary handling read TAP's closing lines (`# pass N`).
// Node 20 applies the timeout to a whole test file and kills it; later versions end only the test,
// so a file whose timed-out test left a child process or a socket open would never exit: every
// file ends shortly after its tests have (end-test-file.mjs; not --test-force-exit, which drops
// results when files run concurrently).
const endTestFile = `--import=${join(repoRoot, "scripts", "end-test-file.mjs")}`;
const reporter = [`--test-reporter=${process.stdout.isTTY ? "spec" : "tap"}`];
const runner = spawn(
  process.execPath,
  [
    "--enable-source-maps",
    endTestFile,
    "--test",
    "--test-concurrency=2",
    `--test-timeout=${timeoutMs}`,
    ...reporter,
    ...files,
  ],
  {
    // NODE_DISABLE_COMPILE_CACHE: on Node 22+, TypeScript's tsc (run by tests that pack or build)
    // turns on Node's compile cache, which would otherwise leave `node-compile-cache/` in TMPDIR.
    env: { ...env, TMPDIR: runTmp, NODE_DISABLE_COMPILE_CACHE: "1" },
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
  },
);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    try {
      process.kill(-runner.pid, signal);
    } catch {
      // the group is already gone
    }
  });
}

const summary = [];
createInterface({ input: runner.stdout, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line) => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips terminal colours before matching
  const plain = line.replace(/\u001b\[[0-9;]*m/g, "");
  if (summary.length > 0 || summaryStart.test(plain)) summary.push(plain === line ? line : plain);
  else process.stdout.write(`${line}\n`);
});
const [code, signal] = await new Promise((resolve) =>
  runner.once("close", (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
);

const problems = [];
if (!(await groupGone(runner.pid, 2000))) {
  problems.push("processes started by the tests were still running (killed now)");
  try {
    process.kill(-runner.pid, "SIGKILL");
  } catch {
    // gone in the meantime
  }
  await groupGone(runner.pid, 2000);
}
const left = leftoversIn(runTmp);
if (left.length > 0) {
  problems.push(
    `the tests left ${left.length} item(s) in the temp folder:`,
    ...left.map((item) => `  ${item}`),
  );
}
rmSync(runTmp, { recursive: true, force: true });

if (problems.length > 0) {
  const lines = ["not cleaned up after the run:", ...problems];
  process.stdout.write(lines.map((line) => `# ${line}\n`).join(""));
}
for (const line of summary) process.stdout.write(`${problems.length > 0 ? countFailure(line) : line}\n`);
process.exitCode = problems.length > 0 ? 1 : (code ?? (signal ? 1 : 0));
