// moto_server (the AWS mock LocalStack builds on), from the machine's Python, on a free port and
// on cpu 0 like the other servers. Resolves undefined with a reason when it is not installed.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hasTaskset } from "./support.mjs";

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function motoVersion() {
  const result = spawnSync("python3", ["-c", "import moto; print(moto.__version__)"], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Resolves once something accepts connections on the port. */
function accepting(port) {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * { url, pid, stop } once moto_server accepts connections, or { reason } when it cannot start.
 * Its output (a line per request) goes to a file, never to a pipe: a pipe left undrained stalled it.
 */
export async function startMoto() {
  if (spawnSync("which", ["moto_server"]).status !== 0) return { reason: "moto_server is not on PATH" };
  const port = await freePort();
  const folder = mkdtempSync(join(tmpdir(), "coffer-bench-moto-"));
  const log = join(folder, "moto.log");
  const fd = openSync(log, "w");
  const args = ["-H", "127.0.0.1", "-p", String(port)];
  const child = spawn(
    hasTaskset ? "taskset" : "moto_server",
    hasTaskset ? ["-c", "0", "moto_server", ...args] : args,
    {
      stdio: ["ignore", fd, fd],
    },
  );
  closeSync(fd);
  let exitCode;
  const exited = new Promise((resolve) =>
    child.once("exit", (code) => {
      exitCode = code;
      resolve(code);
    }),
  );
  const cleanup = () => rmSync(folder, { recursive: true, force: true });
  const deadline = performance.now() + 30_000;
  while (exitCode === undefined && performance.now() < deadline) {
    if (await accepting(port)) {
      return {
        url: `http://127.0.0.1:${port}`,
        pid: child.pid,
        stop: async () => {
          child.kill("SIGTERM");
          await exited;
          cleanup();
        },
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 100)); // no event to wait for: poll the port
  }
  child.kill("SIGKILL");
  await exited;
  const reason = `moto_server did not start (exit ${exitCode}): ${readFileSync(log, "utf8").slice(-300)}`;
  cleanup();
  return { reason };
}
