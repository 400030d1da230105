// What the benchmarks share: settings from the environment, the bench admin key, starting a
// server process, statistics and formatting.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

export const root = new URL("..", import.meta.url).pathname;

/** Seconds per timed run of a throughput benchmark (call counts of the others scale with it). */
export const seconds = envNumber("BENCH_SECONDS", 5);
/** Rounds per benchmark; each round measures every side once, and the ratio is the median over rounds. */
export const rounds = Math.max(1, Math.round(envNumber("BENCH_ROUNDS", 3)));

export const admin = {
  accessKeyId: "AKIABENCHADMIN000001",
  secretAccessKey: "bench-admin-secret-key-0123456789",
};

/** The secret every benchmark reads: a typical database credential. */
export const secretName = "bench/db";
export const secretValue = JSON.stringify({
  username: "app",
  password: "x".repeat(32),
  host: "db.internal",
  port: 5432,
});

export const hasTaskset = spawnSync("taskset", ["-c", "0", "true"]).status === 0;

export function envNumber(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, got '${raw}'`);
  return value;
}

/** A call count: `BENCH_CALLS` when set, else `base` scaled by BENCH_SECONDS (relative to the default 5 s). */
export function callCount(base, minimum) {
  const explicit = process.env.BENCH_CALLS;
  if (explicit !== undefined && explicit !== "") return Math.round(envNumber("BENCH_CALLS", base));
  return Math.max(minimum, Math.round((base * seconds) / 5));
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Pins this process (all its threads) to one CPU, so it does not compete with a server pinned elsewhere. */
export function pinSelf(cpu) {
  return (
    hasTaskset && spawnSync("taskset", ["-a", "-p", "-c", String(cpu), String(process.pid)]).status === 0
  );
}

/**
 * Starts `node script` (on CPU `cpu`, default 0, when taskset exists; `cpu: null` leaves it free to
 * run on any) and resolves once it prints "listening on URL".
 * `stop()` sends SIGTERM and waits for the exit; `pid` is the server's (taskset execs it).
 */
export function startServerProcess(script, env = {}, { cpu = 0 } = {}) {
  const pinned = hasTaskset && cpu !== null;
  const command = pinned ? "taskset" : process.execPath;
  const args = pinned ? ["-c", String(cpu), process.execPath, script] : [script];
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${script} did not start within 20 s: ${out}`));
    }, 20_000);
    child.stdout.on("data", (d) => {
      out += d;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[1],
          pid: child.pid,
          stop: () => {
            child.kill("SIGTERM");
            return exited;
          },
        });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited ${code}: ${out}`));
    });
  });
}

/** Environment of a Coffer server process with the bench admin key and its own data folder. */
export function cofferEnv(home) {
  return {
    COFFER_HOME: home,
    COFFER_HOST: "127.0.0.1",
    COFFER_PORT: "0",
    COFFER_LOG_LEVEL: "warn",
    COFFER_ADMIN_ACCESS_KEY_ID: admin.accessKeyId,
    COFFER_ADMIN_SECRET_ACCESS_KEY: admin.secretAccessKey,
  };
}

export const ratio = (x) => x.toFixed(3);

/** Resident memory of a process in MB (VmRSS; VmHWM is the peak), from /proc; undefined elsewhere. */
export function residentMb(pid, field = "VmRSS") {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Prints the one `BENCH_RESULT <json>` line scripts/bench.mjs collects (see helper rules). */
export function benchResult(bench, title, rows, notes = []) {
  console.log(`BENCH_RESULT ${JSON.stringify({ bench, title, rows, notes })}`);
}

/** A result row; `met` is computed from a numeric target when one is given. */
export function row(name, value, unit, target = null) {
  let met = null;
  const match = target && /^(≥|≤)\s*([\d.]+)/.exec(target);
  if (match && Number.isFinite(value))
    met = match[1] === "≥" ? value >= Number(match[2]) : value <= Number(match[2]);
  return { name, value: Number.isFinite(value) ? Number(value.toPrecision(4)) : null, unit, target, met };
}
