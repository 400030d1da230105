import { spawn } from "node:child_process";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { type ServerProcess, startServerProcess } from "@coffer/server/testing";

export type { ServerProcess };

/** The repository root (this file is dist/testing/live.js or src/testing/live.ts). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");

/** A real Coffer server process (from @coffer/server/testing) and an SDK client for it. */
export async function startLiveCoffer(): Promise<ServerProcess & { admin: SecretsManagerClient }> {
  const server = await startServerProcess();
  return { ...server, admin: sdkFor(server, server.url) };
}

/** An SDK client with the server's test credentials, pointed at `endpoint` (the server or a proxy in front). */
export function sdkFor(
  server: ServerProcess,
  endpoint: string,
  overrides: { secretAccessKey?: string } = {},
) {
  return new SecretsManagerClient({
    region: server.clientEnv.AWS_REGION,
    endpoint,
    credentials: {
      accessKeyId: server.clientEnv.AWS_ACCESS_KEY_ID ?? "",
      secretAccessKey: overrides.secretAccessKey ?? server.clientEnv.AWS_SECRET_ACCESS_KEY ?? "",
    },
    maxAttempts: 1,
  });
}

export async function createSecret(sdk: SecretsManagerClient, name: string, value: string | Uint8Array) {
  return sdk.send(
    new CreateSecretCommand(
      typeof value === "string" ? { Name: name, SecretString: value } : { Name: name, SecretBinary: value },
    ),
  );
}

export async function putSecretValue(sdk: SecretsManagerClient, name: string, value: string) {
  return sdk.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
}

/**
 * Runs an ES module snippet in a fresh Node process from the repository root (so `@coffer/client`
 * resolves through the workspace), with only the given environment. Fails if it does not exit
 * within `timeoutMs` — which is how "an open change feed must not keep a process alive" is tested.
 */
export function runModule(
  source: string,
  env: Record<string, string | undefined>,
  timeoutMs = 20_000,
): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", source], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? homedir(),
        TMPDIR: tmpdir(),
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        AWS_EC2_METADATA_DISABLED: "true",
        ...env,
      },
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
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}
