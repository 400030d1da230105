import { spawnSync } from "node:child_process";

/**
 * The real `aws` CLI and boto3 are required in CI (CI=true) and optional on a developer's machine,
 * where a test that needs them is skipped with the reason printed.
 */
export function requireTool(tool: "aws" | "boto3"): { skip: string | false; python: string } {
  const python = findPythonWithBoto3();
  const available = tool === "aws" ? commandWorks("aws", ["--version"]) : python !== undefined;
  if (available) return { skip: false, python: python ?? "python3" };
  const reason = tool === "aws" ? "the aws CLI is not installed" : "python3 with boto3 is not installed";
  if (process.env.CI === "true") throw new Error(`${reason}, and CI=true forbids skipping these tests`);
  console.log(`# skipping: ${reason}`);
  return { skip: reason, python: "python3" };
}

function findPythonWithBoto3(): string | undefined {
  for (const candidate of [process.env.COFFER_TEST_PYTHON, "python3", "/usr/bin/python3"]) {
    if (candidate && commandWorks(candidate, ["-c", "import boto3"])) return candidate;
  }
  return undefined;
}

function commandWorks(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: "ignore" });
  return result.status === 0;
}
