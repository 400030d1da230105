import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export type SnippetOutcome =
  | { status: "ok"; output: string }
  | { status: "failed"; exitCode: number | null; output: string }
  | { status: "timeout"; output: string };

const doneMarker = "__COFFER_README_SNIPPET_DONE__";

/**
 * One bash session that runs snippets in order, as if each were pasted into the same terminal:
 * variables, exports and the working folder carry over from one snippet to the next. `errexit` is
 * on, so a failing command ends the session (and the snippet counts as failed). Each snippet's
 * stdout and stderr (and those of anything it starts in the background) go to a file of its own;
 * stdin is /dev/null. The session is its own process group, so `stop` also ends the background
 * processes snippets started with `&`.
 */
export class SnippetShell {
  private readonly bash: ChildProcess;
  private stdout = "";
  /** What bash itself printed (not the snippets, whose output goes to their files). */
  private stderr = "";
  private exitCode: number | null | undefined;
  private readonly listeners = new Set<() => void>();
  private count = 0;

  constructor(
    private readonly folder: string,
    env: Record<string, string>,
    cwd: string,
  ) {
    this.bash = spawn("bash", ["--noprofile", "--norc", "-e"], {
      cwd,
      env,
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    this.bash.stdout?.on("data", (chunk: Buffer) => {
      this.stdout += chunk.toString("utf8");
      for (const listener of this.listeners) listener();
    });
    // Writing to a session that has just ended fails with EPIPE; its exit is reported instead.
    this.bash.stdin?.on("error", () => {});
    this.bash.stderr?.on("data", (chunk: Buffer) => {
      this.stderr += chunk.toString("utf8");
    });
    this.bash.once("exit", (code, signal) => {
      this.exitCode = code ?? (signal ? 128 : null);
      for (const listener of this.listeners) listener();
    });
  }

  /** Runs `code` in the session; resolves when it has finished, failed or run out of time. */
  async run(code: string, timeoutMs: number): Promise<SnippetOutcome> {
    const n = ++this.count;
    const script = join(this.folder, `snippet-${n}.sh`);
    const outputFile = join(this.folder, `snippet-${n}.out`);
    writeFileSync(script, code);
    writeFileSync(outputFile, "");
    const output = () => readFileSync(outputFile, "utf8");
    if (this.exitCode !== undefined) return { status: "failed", exitCode: this.exitCode, output: "" };
    const done = `${doneMarker} ${n}\n`;
    this.bash.stdin?.write(
      `. ${quote(script)} >${quote(outputFile)} 2>&1 </dev/null; echo "${done.trim()}"\n`,
    );
    const finished = await new Promise<"ok" | "failed" | "timeout">((resolve) => {
      const settle = (result: "ok" | "failed" | "timeout") => {
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(result);
      };
      const check = () => {
        if (this.stdout.includes(done)) settle("ok");
        else if (this.exitCode !== undefined) settle("failed");
      };
      const timer = setTimeout(() => settle("timeout"), timeoutMs);
      this.listeners.add(check);
      check();
    });
    if (finished === "ok") return { status: "ok", output: output() };
    if (finished === "timeout") return { status: "timeout", output: output() };
    return { status: "failed", exitCode: this.exitCode ?? null, output: output() + this.stderr };
  }

  /** Ends the session and everything it started (SIGTERM, then SIGKILL if still there after `graceMs`). */
  async stop(graceMs = 3000): Promise<void> {
    const pgid = this.bash.pid;
    if (pgid === undefined) return;
    this.bash.stdin?.end();
    signalGroup(pgid, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (groupAlive(pgid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    if (groupAlive(pgid)) signalGroup(pgid, "SIGKILL");
    while (groupAlive(pgid)) await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function quote(path: string): string {
  return `'${path.replaceAll("'", "'\\''")}'`;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is already gone
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
