import { spawn } from "node:child_process";
import { tmpdir } from "node:os";

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program (no shell) with exactly the environment given, collecting its output. */
export function runTool(
  command: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/", TMPDIR: tmpdir(), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
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
  });
}
