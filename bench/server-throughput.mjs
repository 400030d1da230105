#!/usr/bin/env node
// GetSecretValue throughput of three servers measured side by side in one run, each round
// running all three (rotating which goes first):
//   - Coffer, full: SigV4, access control, validation, SQLite, envelope decryption, audit record
//     written (group-committed to <home>/audit.db) before the answer;
//   - Coffer without the audit trail (bench/coffer-server-no-audit.mjs), otherwise identical;
//   - bare node:http answering a constant body of the same size (the ceiling).
// Ratios: full/bare, no-audit/bare and full/no-audit (the audit's cost), each the median of rounds.
// Uses wrk when installed (apt-get install wrk), else a Node load generator (which caps all three).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeLoad } from "./node-load.mjs";
import { signedGetSecretValue } from "./signed-request.mjs";
import {
  admin,
  cofferEnv,
  envNumber,
  hasTaskset,
  median,
  ratio,
  root,
  rounds,
  seconds,
  secretName,
  secretValue,
  startServerProcess,
} from "./support.mjs";

const connections = Math.round(envNumber("BENCH_CONNECTIONS", 32));
const warmupSeconds = envNumber("BENCH_WARMUP_SECONDS", 1);
const hasWrk = spawnSync("which", ["wrk"]).status === 0;

async function load(url, request, duration) {
  if (!hasWrk) return nodeLoad(url, request, { seconds: duration, connections });
  const script = join(tmpdir(), `coffer-bench-${process.pid}.lua`);
  const headers = Object.entries(request.headers)
    .filter(([name]) => name !== "host" && name !== "content-length")
    .map(([name, value]) => `wrk.headers["${name}"] = ${JSON.stringify(value)}`)
    .join("\n");
  writeFileSync(script, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(request.body)}\n${headers}\n`);
  const wrkArgs = ["-t1", `-c${connections}`, `-d${duration}s`, "-s", script, url];
  const result = spawnSync(
    hasTaskset ? "taskset" : "wrk",
    hasTaskset ? ["-c", "1", "wrk", ...wrkArgs] : wrkArgs,
    { encoding: "utf8" },
  );
  rmSync(script, { force: true });
  if (result.status !== 0) throw new Error(`wrk failed (${result.status}): ${result.stderr}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(result.stdout)?.[1] ?? 0);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(result.stdout)?.[1] ?? 0);
  if (non2xx > 0) throw new Error(`wrk saw ${non2xx} error responses:\n${result.stdout}`);
  if (!(rps > 0)) throw new Error(`wrk measured nothing:\n${result.stdout}`);
  return rps;
}

async function call(url, operation, input) {
  const request = await signedGetSecretValue(url, admin, operation, input);
  const response = await fetch(url, { method: "POST", headers: request.headers, body: request.body });
  if (!response.ok) throw new Error(`${operation} on ${url} failed: ${await response.text()}`);
  return response.json();
}

/** A Coffer process with its own data folder, holding the bench secret. */
async function startCoffer(label, script) {
  const home = mkdtempSync(join(tmpdir(), "coffer-bench-"));
  let server;
  try {
    server = await startServerProcess(script, cofferEnv(home));
    await call(server.url, "CreateSecret", { Name: secretName, SecretString: secretValue });
    const read = await call(server.url, "GetSecretValue", { SecretId: secretName });
    if (read.SecretString !== secretValue) throw new Error(`${label}: GetSecretValue returned another value`);
    return {
      label,
      url: server.url,
      stop: async () => {
        await server.stop();
        rmSync(home, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await server?.stop();
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
}

const servers = [];
try {
  servers.push(await startCoffer("coffer", join(root, "packages/server/dist/main.js")));
  servers.push(await startCoffer("coffer-no-audit", join(root, "bench/coffer-server-no-audit.mjs")));
  const bare = await startServerProcess(join(root, "bench/bare-server.mjs"));
  servers.push({ label: "bare node:http", url: bare.url, stop: () => bare.stop() });

  // The same GetSecretValue for every server, signed for each one's host:port (the signature
  // covers it) and re-signed every round to stay inside the ±5 minute clock-skew window.
  const signAll = () =>
    Promise.all(
      servers.map((s) => signedGetSecretValue(s.url, admin, "GetSecretValue", { SecretId: secretName })),
    );

  console.log(
    `GetSecretValue, ${connections} connections, ${seconds} s per run, ${rounds} rounds (+${warmupSeconds} s warm-up each), load: ${hasWrk ? "wrk" : "node"}${hasTaskset ? ", servers on cpu 0, load on cpu 1" : ""}`,
  );
  const warmup = await signAll();
  for (const [i, server] of servers.entries()) await load(server.url, warmup[i], warmupSeconds);

  const fullOverBare = [];
  const noAuditOverBare = [];
  const fullOverNoAudit = [];
  for (let round = 0; round < rounds; round++) {
    const requests = await signAll();
    const rps = new Array(servers.length);
    for (let k = 0; k < servers.length; k++) {
      const i = (round + k) % servers.length;
      rps[i] = await load(servers[i].url, requests[i], seconds);
    }
    const [full, noAudit, bareRps] = rps;
    fullOverBare.push(full / bareRps);
    noAuditOverBare.push(noAudit / bareRps);
    fullOverNoAudit.push(full / noAudit);
    console.log(
      `  round ${round + 1}: coffer ${full.toFixed(0)} req/s, coffer no-audit ${noAudit.toFixed(0)} req/s, bare node:http ${bareRps.toFixed(0)} req/s` +
        ` | full/bare ${ratio(full / bareRps)}, no-audit/bare ${ratio(noAudit / bareRps)}, full/no-audit ${ratio(full / noAudit)}`,
    );
  }
  console.log(`medians of ${rounds} rounds:`);
  console.log(
    `  coffer / bare node:http throughput:           ${ratio(median(fullOverBare))} (target ≥ 0.5)`,
  );
  console.log(`  coffer no-audit / bare node:http throughput:  ${ratio(median(noAuditOverBare))}`);
  console.log(
    `  coffer / coffer no-audit (audit cost ratio):  ${ratio(median(fullOverNoAudit))} (1.000 = auditing is free)`,
  );
} finally {
  await Promise.all(servers.map((s) => s.stop()));
}
