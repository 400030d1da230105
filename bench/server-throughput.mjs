#!/usr/bin/env node
// GetSecretValue throughput of Coffer (SigV4, validation, SQLite, envelope decryption) against a
// bare node:http server answering a constant body, measured side by side in one run, A B A B.
// Uses wrk when installed (apt-get install wrk), else a Node load generator (which caps both).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeLoad } from "./node-load.mjs";
import { signedGetSecretValue } from "./signed-request.mjs";

const root = new URL("..", import.meta.url).pathname;
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const admin = { accessKeyId: "AKIABENCHADMIN000001", secretAccessKey: "bench-admin-secret-key-0123456789" };
const hasTaskset = spawnSync("taskset", ["-c", "0", "true"]).status === 0;
const hasWrk = spawnSync("wrk", ["--version"]).status !== null && spawnSync("which", ["wrk"]).status === 0;

function start(script, env = {}) {
  const command = hasTaskset ? "taskset" : process.execPath;
  const args = hasTaskset ? ["-c", "0", process.execPath, script] : [script];
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve({ url: match[1], stop: () => child.kill("SIGTERM") });
    });
    child.on("exit", (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

async function load(url, request) {
  if (!hasWrk) return nodeLoad(url, request, { seconds, connections });
  const script = join(tmpdir(), `coffer-bench-${process.pid}.lua`);
  const headers = Object.entries(request.headers)
    .filter(([name]) => name !== "host" && name !== "content-length")
    .map(([name, value]) => `wrk.headers["${name}"] = ${JSON.stringify(value)}`)
    .join("\n");
  writeFileSync(script, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(request.body)}\n${headers}\n`);
  const wrkArgs = ["-t1", `-c${connections}`, `-d${seconds}s`, "-s", script, url];
  const result = spawnSync(
    hasTaskset ? "taskset" : "wrk",
    hasTaskset ? ["-c", "1", "wrk", ...wrkArgs] : wrkArgs,
    {
      encoding: "utf8",
    },
  );
  rmSync(script, { force: true });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(result.stdout)?.[1] ?? 0);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(result.stdout)?.[1] ?? 0);
  if (non2xx > 0) throw new Error(`wrk saw ${non2xx} error responses:\n${result.stdout}`);
  return rps;
}

const home = mkdtempSync(join(tmpdir(), "coffer-bench-"));
const coffer = await start(join(root, "packages/server/dist/main.js"), {
  COFFER_HOME: home,
  COFFER_PORT: "0",
  COFFER_LOG_LEVEL: "warn",
  COFFER_ADMIN_ACCESS_KEY_ID: admin.accessKeyId,
  COFFER_ADMIN_SECRET_ACCESS_KEY: admin.secretAccessKey,
});
const bare = await start(join(root, "bench/bare-server.mjs"));
try {
  const value = JSON.stringify({
    username: "app",
    password: "x".repeat(32),
    host: "db.internal",
    port: 5432,
  });
  const create = await signedGetSecretValue(coffer.url, admin, "CreateSecret", {
    Name: "bench/db",
    SecretString: value,
  });
  const created = await fetch(coffer.url, { method: "POST", headers: create.headers, body: create.body });
  if (!created.ok) throw new Error(`CreateSecret failed: ${await created.text()}`);
  const request = await signedGetSecretValue(coffer.url, admin, "GetSecretValue", { SecretId: "bench/db" });
  const check = await fetch(coffer.url, { method: "POST", headers: request.headers, body: request.body });
  if (!check.ok) throw new Error(`GetSecretValue failed: ${await check.text()}`);

  console.log(
    `GetSecretValue, ${connections} connections, ${seconds} s per run, ${rounds} rounds, load: ${hasWrk ? "wrk" : "node"}${hasTaskset ? ", server on cpu 0, load on cpu 1" : ""}`,
  );
  const ratios = [];
  for (let round = 1; round <= rounds; round++) {
    const a = await load(coffer.url, request);
    const b = await load(bare.url, request);
    ratios.push(a / b);
    console.log(
      `  round ${round}: coffer ${a.toFixed(0)} req/s, bare node:http ${b.toFixed(0)} req/s, ratio ${(a / b).toFixed(3)}`,
    );
  }
  ratios.sort((x, y) => x - y);
  console.log(
    `coffer / bare node:http throughput, median of ${rounds}: ${ratios[Math.floor(rounds / 2)].toFixed(3)} (target ≥ 0.5)`,
  );
} finally {
  coffer.stop();
  bare.stop();
  rmSync(home, { recursive: true, force: true });
}
