import { spawnSync } from "node:child_process";

/**
 * Whether `command --version` runs. Outside CI a missing tool skips its tests with the reason
 * printed; with CI=true it fails them, so CI cannot silently test less.
 */
export function requireTool(command: "python3" | "curl"): string | false {
  const result = spawnSync(command, ["--version"], { stdio: "ignore" });
  if (result.status === 0) return false;
  const reason = `${command} is not installed`;
  if (process.env.CI === "true") throw new Error(`${reason}, and CI=true forbids skipping these tests`);
  console.log(`# skipping: ${reason}`);
  return reason;
}
