// moto_server (the AWS mock LocalStack builds on), from the machine's Python, on a free port and
// on cpu 0 like the other servers. Resolves undefined with a reason when it is not installed.
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
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

/** { url, pid, stop } once moto_server says it is running, or { reason } when it cannot start. */
export async function startMoto() {
  if (spawnSync("which", ["moto_server"]).status !== 0) return { reason: "moto_server is not on PATH" };
  const port = await freePort();
  const args = ["-H", "127.0.0.1", "-p", String(port)];
  const child = spawn(
    hasTaskset ? "taskset" : "moto_server",
    hasTaskset ? ["-c", "0", "moto_server", ...args] : args,
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return new Promise((resolve) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve({ reason: `moto_server did not start within 30 s: ${out.slice(-300)}` });
    }, 30_000);
    const onData = (d) => {
      out += d;
      if (/Running on http/.test(out)) {
        clearTimeout(timer);
        child.stdout.removeAllListeners("data");
        child.stderr.removeAllListeners("data");
        child.stdout.resume();
        child.stderr.resume();
        resolve({
          url: `http://127.0.0.1:${port}`,
          pid: child.pid,
          stop: () => {
            child.kill("SIGTERM");
            return exited;
          },
        });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ reason: `moto_server exited ${code}: ${out.slice(-300)}` });
    });
  });
}
