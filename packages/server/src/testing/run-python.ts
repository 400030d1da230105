import { spawn } from "node:child_process";

/**
 * Runs a Python script (boto3 tests) and resolves with the JSON of the last line it printed; rejects
 * with its output when it exits non-zero or prints no JSON. `env` is the child's whole environment
 * besides PATH and PYTHONDONTWRITEBYTECODE (tests pass a server's client environment and a HOME of
 * their own, so no user configuration leaks in).
 */
// biome-ignore lint/suspicious/noExplicitAny: scripts' output is asserted on field by field.
export function runPythonJson(python: string, script: string, env: Record<string, string>): Promise<any> {
  const childEnv = { ...env, PATH: process.env.PATH ?? "", PYTHONDONTWRITEBYTECODE: "1" };
  return new Promise((resolve, reject) => {
    const child = spawn(python, ["-c", script], { env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`python exited with ${code}:\n${stderr}\n${stdout}`));
      try {
        resolve(JSON.parse(stdout.trim().split("\n").pop() ?? ""));
      } catch {
        reject(new Error(`python printed no JSON:\n${stdout}\n${stderr}`));
      }
    });
  });
}
