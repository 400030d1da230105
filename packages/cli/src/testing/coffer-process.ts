import { type ChildProcess, spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../main.js", import.meta.url));

/** A `coffer` process for end-to-end tests, with its output collected as it arrives. */
export interface CofferProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout contains `text`; rejects if the process exits first. */
  waitForStdout(text: string | RegExp): Promise<string>;
  /** Resolves once stderr contains `text`; rejects if the process exits first. */
  waitForStderr(text: string | RegExp): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Processes started by `startCoffer` that have not exited yet. */
const running = new Set<ChildProcess>();

/** Kills every `startCoffer` process still running (a test that failed midway) and waits for each to exit. */
export async function killStartedCoffers(): Promise<void> {
  await Promise.all(
    [...running].map((child) => {
      const gone = new Promise((resolve) => child.once("close", resolve));
      child.kill("SIGKILL");
      return gone;
    }),
  );
}

export function startCoffer(args: readonly string[], env: Record<string, string>): CofferProcess {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/", TMPDIR: tmpdir(), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.once("close", () => running.delete(child));
  let stdout = "";
  let stderr = "";
  const listeners: Array<() => void> = [];
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
    for (const listener of listeners) listener();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
    for (const listener of listeners) listener();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForStdout: (text) => waitFor(() => stdout, text),
    waitForStderr: (text) => waitFor(() => stderr, text),
  };

  function waitFor(output: () => string, text: string | RegExp): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const seen = output();
        const match = typeof text === "string" ? (seen.includes(text) ? text : null) : text.exec(seen)?.[0];
        if (match) resolve(match);
      };
      listeners.push(check);
      check();
      void exited.then(() =>
        reject(new Error(`coffer exited before printing ${text}:\n${stdout}\n${stderr}`)),
      );
    });
  }
}

/** Runs `coffer ARGS` to completion, with `input` on stdin, and returns what it printed. */
export function runCoffer(
  args: readonly string[],
  env: Record<string, string>,
  input = "",
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runProgram(process.execPath, [cli, ...args], { TMPDIR: tmpdir(), ...env }, { input });
}

/** Runs any program to its end with exactly `env`; resolves with its exit code and output. */
export function runProgram(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
  options: { input?: string; cwd?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}
