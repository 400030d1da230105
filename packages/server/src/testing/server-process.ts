import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { testStoreEnv } from "./test-store.js";

export { requireTool } from "./real-clients.js";
export { testStoreEngine } from "./test-store.js";

/** Test credentials declared through configuration, as a CI harness would. */
export const testAdmin = {
  accessKeyId: "AKIATESTADMIN0000001",
  secretAccessKey: "test-admin-secret-key-0123456789abcdef",
};
export const testAccountId = "123456789012";
export const testRegion = "us-east-1";

export interface ServerProcess {
  url: string;
  port: number;
  home: string;
  /**
   * Where its data lives beyond the data folder: COFFER_STORE and COFFER_MASTER_KEY when it runs on
   * PostgreSQL (COFFER_TEST_STORE=postgres), else nothing. With COFFER_HOME, what a local reader of
   * its data (openAuditTrail, the CLI's --data-dir) needs.
   */
  storeEnv: Record<string, string>;
  /** Environment for AWS clients pointed at this server. */
  clientEnv: Record<string, string>;
  output(): string;
  /** Graceful stop (SIGTERM), waiting for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** The server's pid as this process sees it (in a PID namespace it is pid 1 to itself). */
  pid(): number;
  /** Resolves with the exit code (null when killed by a signal) once the server has exited. */
  exited: Promise<number | null>;
  /** Removes the data folder. */
  cleanup(): void;
}

const mainScript = join(dirname(fileURLToPath(import.meta.url)), "..", "main.js");

/** What a test that chose its own store (COFFER_STORE) gave its server, for local readers. */
function pickStoreEnv(env: Record<string, string>): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of ["COFFER_STORE", "COFFER_MASTER_KEY", "COFFER_MASTER_KEYS_PREVIOUS"]) {
    const value = env[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}

/** Starts a real Coffer server process on a free loopback port with its own data folder. */
export async function startServerProcess(
  options: {
    home?: string;
    env?: Record<string, string>;
    configuredAdmin?: boolean;
    /**
     * Runs the server as pid 1 of a new PID namespace (`unshare --pid --fork --mount-proc`), as a
     * container runs it. Needs root.
     */
    pidNamespace?: boolean;
    /**
     * `sqlite`: always the embedded engine, for tests of what only it has (its files, its lock, the
     * keyring file). By default the engine COFFER_TEST_STORE names (testing/test-store.ts).
     */
    store?: "sqlite";
  } = {},
): Promise<ServerProcess> {
  const ownHome = options.home === undefined;
  const home = options.home ?? mkdtempSync(join(tmpdir(), "coffer-test-"));
  const adminEnv =
    options.configuredAdmin === false
      ? {}
      : {
          COFFER_ADMIN_ACCESS_KEY_ID: testAdmin.accessKeyId,
          COFFER_ADMIN_SECRET_ACCESS_KEY: testAdmin.secretAccessKey,
        };
  const storeEnv =
    options.env?.COFFER_STORE !== undefined
      ? pickStoreEnv(options.env)
      : options.store === "sqlite"
        ? {}
        : testStoreEnv(home);
  const command = [process.execPath, "--enable-source-maps", mainScript];
  if (options.pidNamespace) command.unshift("unshare", "--pid", "--fork", "--mount-proc", "--kill-child");
  const child = spawn(command[0] as string, command.slice(1), {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? home,
      TMPDIR: tmpdir(),
      COFFER_HOME: home,
      COFFER_PORT: "0",
      COFFER_ACCOUNT_ID: testAccountId,
      COFFER_LOG_LEVEL: "debug",
      ...storeEnv,
      ...adminEnv,
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  let url: string;
  try {
    url = await waitForListening(child, () => output);
  } catch (error) {
    // A server that did not start leaves nothing behind: no process, and no data folder it made.
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await gone;
    }
    if (ownHome) rmSync(home, { recursive: true, force: true });
    throw error;
  }
  const port = Number(new URL(url).port);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const serverPid = (): number => {
    const outer = child.pid as number;
    if (!options.pidNamespace) return outer;
    // unshare's one child is the server: pid 1 inside its namespace.
    const inner = Number(readFileSync(`/proc/${outer}/task/${outer}/children`, "utf8").trim().split(" ")[0]);
    if (!Number.isInteger(inner) || inner <= 0) throw new Error(`no server process under unshare (${outer})`);
    return inner;
  };
  const signal = (name: NodeJS.Signals) => {
    if (!options.pidNamespace) {
      child.kill(name);
      return;
    }
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(serverPid(), name);
    } catch {
      // Already gone.
    }
  };
  return {
    url,
    port,
    home,
    storeEnv,
    clientEnv: {
      AWS_ACCESS_KEY_ID: testAdmin.accessKeyId,
      AWS_SECRET_ACCESS_KEY: testAdmin.secretAccessKey,
      AWS_REGION: testRegion,
      AWS_DEFAULT_REGION: testRegion,
      AWS_ENDPOINT_URL: url,
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_CONFIG_FILE: join(home, "no-aws-config"),
      AWS_SHARED_CREDENTIALS_FILE: join(home, "no-aws-credentials"),
      // Clients started with this environment keep their temporary files where the test's go.
      TMPDIR: tmpdir(),
    },
    output: () => output,
    stop: async () => {
      signal("SIGTERM");
      return exited;
    },
    kill: async () => {
      signal("SIGKILL");
      await exited;
    },
    pid: serverPid,
    exited,
    cleanup: () => rmSync(home, { recursive: true, force: true }),
  };
}

function waitForListening(child: ChildProcess, output: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server did not start within 10 s; output:\n${output()}`));
    }, 10_000);
    const check = () => {
      const match = /listening on (http:\/\/[^\s]+)/.exec(output());
      if (match?.[1]) {
        clearTimeout(timer);
        child.stdout?.off("data", check);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening; output:\n${output()}`));
    });
  });
}
