/**
 * Runs the README's code blocks against a live Coffer, in order, as a newcomer pasting them would.
 * Alone: `node scripts/test.mjs readme.integration` (after `npx tsc -b`).
 *
 * Which blocks: every ```sh, ```ts and ```js block of README.md (other languages, e.g. ```dockerfile or
 * ```json, are never run). A block whose nearest non-blank line above the fence is
 * `<!-- not-run: reason -->` (on its own line; prose in between cancels it) is not run, and its
 * line and reason are printed; use it for what cannot run inside a test: installing, `npm start` / a foreground
 * server, docker, global installs, placeholders, this very `npm test`. A marker without a reason, or
 * misspelt (`<!-- not-run -->`), fails the whole test, so every exception is explained. An unmarked block that runs `npm install`, `npm ci`, `npm start` or `npm test` fails
 * without being run: those would change the repository's node_modules or start a second test run.
 *
 * How: the test plays `npm start` itself. It starts a real server from the built CLI
 * (`coffer serve`) with a fresh HOME and COFFER_HOME (`$HOME/.coffer`) in a temp folder, on a free
 * port, without a declared admin key, and runs the `export …` lines the server prints on its first
 * start (the ones the Quick start tells the user to paste). Then each block runs in ONE bash session
 * (`bash -e`: variables and exports carry from block to block; any failing command fails its
 * block, and the blocks after a failure are skipped). ```ts blocks run with the repository's `tsx`
 * and ```js blocks with plain `node`, from the same session, so they see the same environment: as
 * an ES module (`.mts`/`.mjs`) when they have an `import`/`export` statement, else as CommonJS
 * (`.cts`/`.cjs`). A block that has not finished after
 * 30 s fails (a server left in the foreground). A failure names the block by its README line and
 * shows the block as run and everything it printed.
 *
 * The environment of the session, and nothing else from the caller's: PATH with a temp `bin`
 * folder first, whose `coffer` runs packages/cli/dist/main.js (so `coffer …` works as it does for a
 * user who put the CLI on PATH); HOME, COFFER_HOME, and TMPDIR in the test's temp folder (so
 * nothing a block or tsx writes there outlives the test); AWS_PAGER="" and
 * AWS_EC2_METADATA_DISABLED=true; npm_config_yes=false (`npx` never downloads a package);
 * CI when set. The working folder is a temp folder mirroring the repository root with symlinks, so
 * relative paths and `npx coffer` resolve as from the repo root while files a block writes are
 * removed afterwards.
 *
 * Rewrites, so that concurrent runs never share a port: `127.0.0.1:7373` and `localhost:7373`
 * become the live server's address; `127.0.0.1:2773` and `localhost:2773` become a free port that
 * the test's `coffer agent` listens on when no `--port` is given (write `coffer agent`, not
 * `npx coffer agent`, in the README: only the test's `coffer` adds that port).
 *
 * At the end the session's whole process group (anything a block started with `&`) and the server
 * are stopped and the temp folder is removed. Without the `aws` CLI the test is skipped with the
 * reason printed, except when CI=true, where that is a failure.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { SnippetShell } from "./snippet-shell.js";
import { extractSnippets, forbiddenCommand, type Snippet } from "./snippets.js";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
const cliMain = join(repoRoot, "packages", "cli", "dist", "main.js");
const tsx = join(repoRoot, "node_modules", ".bin", "tsx");
const snippetTimeoutMs = 30_000;

const snippets = extractSnippets(readFileSync(join(repoRoot, "README.md"), "utf8"));
const awsMissing = spawnSync("aws", ["--version"], { stdio: "ignore" }).error !== undefined;
const skipReason = awsMissing ? "the aws CLI is not installed (the README's snippets use it)" : undefined;
if (skipReason && process.env.CI === "true") throw new Error(`${skipReason}, and CI=true forbids skipping`);

let scratch: string;
let server: ChildProcess | undefined;
let shell: SnippetShell | undefined;
let failed: Snippet | undefined;
let rewrite: (code: string) => string = (code) => code;
let workFolder: string;

describe("README.md snippets, run in order against a live server", {
  skip: skipReason,
  timeout: 180_000,
}, () => {
  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), "coffer-readme-"));
    const home = join(scratch, "home");
    const bin = join(scratch, "bin");
    const runFolder = join(scratch, "run");
    // The session's own temp folder: what its programs leave there (tsx's cache…) goes with scratch.
    const temp = join(scratch, "tmp");
    workFolder = join(scratch, "work");
    for (const folder of [home, bin, runFolder, temp, workFolder]) mkdirSync(folder);
    for (const entry of readdirSync(repoRoot)) {
      if (entry !== ".git") symlinkSync(join(repoRoot, entry), join(workFolder, entry));
    }
    writeFileSync(join(bin, "coffer"), cofferWrapper(), { mode: 0o755 });
    chmodSync(join(bin, "coffer"), 0o755);

    const cofferHome = join(home, ".coffer");
    const started = await startServer({
      PATH: process.env.PATH ?? "",
      HOME: home,
      TMPDIR: temp,
      COFFER_HOME: cofferHome,
    });
    server = started.child;
    const address = new URL(started.url).host;
    const agentPort = await freePort();
    rewrite = (code) =>
      code
        .replace(/(?:127\.0\.0\.1|localhost):7373\b/g, address)
        .replace(/(?:127\.0\.0\.1|localhost):2773\b/g, `127.0.0.1:${agentPort}`);

    const env: Record<string, string> = {
      PATH: `${bin}:${process.env.PATH ?? ""}`,
      HOME: home,
      COFFER_HOME: cofferHome,
      TMPDIR: temp,
      LANG: process.env.LANG ?? "C.UTF-8",
      AWS_PAGER: "",
      AWS_EC2_METADATA_DISABLED: "true",
      npm_config_yes: "false",
      npm_config_update_notifier: "false",
      npm_config_fund: "false",
      COFFER_README_AGENT_PORT: String(agentPort),
      ...(process.env.CI ? { CI: process.env.CI } : {}),
    };
    shell = new SnippetShell(runFolder, env, workFolder);
    const exports = await shell.run(started.exports, snippetTimeoutMs);
    if (exports.status !== "ok") {
      throw new Error(
        `the export lines the server printed did not run:\n${started.exports}\n${exports.output}`,
      );
    }
  });

  after(async () => {
    await shell?.stop();
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server?.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    }
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  for (const snippet of snippets) {
    if (snippet.notRun !== undefined) {
      // Not a test: nothing of it runs, so it would only show as a skipped test in every run.
      process.stdout.write(`README.md:${snippet.line} (${snippet.lang}) not run: ${snippet.notRun}\n`);
      continue;
    }
    it(`README.md:${snippet.line} (${snippet.lang})`, async (t) => {
      if (failed) {
        t.skip(`README.md:${failed.line} failed before it`);
        return;
      }
      try {
        await runSnippet(snippet);
      } catch (error) {
        failed = snippet;
        throw error;
      }
    });
  }
});

async function runSnippet(snippet: Snippet): Promise<void> {
  const where = `README.md line ${snippet.line} (${snippet.lang} snippet)`;
  const command = forbiddenCommand(snippet.code);
  if (command) {
    throw new Error(
      `${where} runs \`${command}\`: mark it <!-- not-run: reason --> (the test never installs, ` +
        `starts a second server or runs itself).\n--- snippet ---\n${snippet.code}`,
    );
  }
  const code = rewrite(snippet.code);
  let script = code;
  if (snippet.lang !== "sh") {
    const esm = /^\s*(import|export)\s/m.test(code);
    const extension = `${esm ? "m" : "c"}${snippet.lang}`;
    const file = join(workFolder, `.readme-line-${snippet.line}.${extension}`);
    writeFileSync(file, code);
    // JavaScript runs on plain node, as a user's program would; TypeScript through the repo's tsx.
    script = `${snippet.lang === "ts" ? quote(tsx) : quote(process.execPath)} ${quote(file)}\n`;
  }
  const outcome = await (shell as SnippetShell).run(script, snippetTimeoutMs);
  if (outcome.status === "ok") return;
  const what =
    outcome.status === "timeout"
      ? `did not finish within ${snippetTimeoutMs / 1000} s (a foreground server? mark it not-run, or end it with &)`
      : `failed (exit code ${outcome.exitCode})`;
  throw new Error(`${where} ${what}\n--- snippet (as run) ---\n${code}--- output ---\n${outcome.output}`);
}

/** `coffer` on the session's PATH: the built CLI; `coffer agent` without `--port` gets the test's port. */
function cofferWrapper(): string {
  return `#!/bin/sh
if [ "$1" = agent ]; then
  case " $* " in *" --port"*) ;; *) set -- "$@" --port "$COFFER_README_AGENT_PORT" ;; esac
fi
exec ${quote(process.execPath)} ${quote(cliMain)} "$@"
`;
}

/** Starts `coffer serve` on a free port; resolves with its URL and the export lines of its first-start banner. */
function startServer(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; exports: string }> {
  const child = spawn(process.execPath, [cliMain, "serve"], {
    env: { ...env, COFFER_PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server = child;
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`coffer serve did not start within 15 s:\n${output}`)),
      15_000,
    );
    const check = () => {
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      const exports = bannerExports(output);
      if (url === undefined || exports === undefined) return;
      clearTimeout(timer);
      resolve({ child, url, exports: `${exports.join("\n")}\n` });
    };
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      check();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`coffer serve exited with ${code} before it was ready:\n${output}`));
    });
  });
}

/**
 * The `export NAME=…` lines the server printed on its first start, once the block is complete (a
 * whole line that is not an export follows it); undefined until then.
 */
function bannerExports(output: string): string[] | undefined {
  const lines = output.split("\n");
  const isExport = (line: string | undefined) => /^\s*export [A-Za-z_]\w*=/.test(line ?? "");
  const first = lines.findIndex(isExport);
  if (first === -1) return undefined;
  let end = first;
  while (isExport(lines[end])) end++;
  // The last element is the line still being written (after the last newline): not yet complete.
  if (end >= lines.length - 1) return undefined;
  return lines.slice(first, end).map((line) => line.trim());
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}
