#!/usr/bin/env node
// The agent's cache hit over HTTP: `GET /secretsmanager/get?secretId=bench/db` with the token, from
// a localhost agent (bench/agent-server.mjs) that already holds the secret, against a bare
// node:http server answering the same body and headers (bench/agent-bare-server.mjs); keep-alive
// load from wrk (else a Node load generator), servers on cpu 0 and load on cpu 1 when taskset
// exists; each round runs both, rotating which goes first. The ratios are agent / bare throughput
// and agent / bare CPU time per request (the server process's user+system time over the requests
// it answered: steadier than throughput on a shared machine, where the load generator's share of
// the CPU sets the throughput of both).
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { nodeGetLoad } from "./agent-load.mjs";
import {
  envNumber,
  hasTaskset,
  median,
  ratio,
  root,
  rounds,
  seconds,
  secretName,
  startServerProcess,
} from "./support.mjs";

const connections = Math.round(envNumber("BENCH_CONNECTIONS", 32));
const warmupSeconds = envNumber("BENCH_WARMUP_SECONDS", 1);
const hasWrk = spawnSync("which", ["wrk"]).status === 0;
const token = randomBytes(24).toString("hex");
const path = `/secretsmanager/get?secretId=${encodeURIComponent(secretName)}`;
const headers = { "x-aws-parameters-secrets-token": token };

/** A server process (support.mjs) that also reports its CPU time, for CPU per request. */
async function startServer(script, env) {
  const server = await startServerProcess(script, env);
  return { ...server, cpuSeconds: () => cpuSecondsOf(server.pid) };
}

/** User + system CPU seconds of a process so far (Linux /proc; NaN elsewhere). */
function cpuSecondsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return Number.NaN;
  }
}
const clockTicks = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;

/** Requests per second, the 99th percentile latency in ms and the server's CPU µs per request. */
async function load(server, duration) {
  const cpuBefore = server.cpuSeconds();
  const measured = await loadOnly(server.url, duration);
  const cpuUs = ((server.cpuSeconds() - cpuBefore) * 1e6) / measured.requests;
  return { ...measured, cpuUs };
}

async function loadOnly(url, duration) {
  if (!hasWrk) return nodeGetLoad(url + path, headers, { seconds: duration, connections });
  const wrkArgs = [
    "-t1",
    `-c${connections}`,
    `-d${duration}s`,
    "--latency",
    "-H",
    `x-aws-parameters-secrets-token: ${token}`,
    url + path,
  ];
  const result = spawnSync(
    hasTaskset ? "taskset" : "wrk",
    hasTaskset ? ["-c", "1", "wrk", ...wrkArgs] : wrkArgs,
    { encoding: "utf8" },
  );
  if (result.status !== 0) throw new Error(`wrk failed (${result.status}): ${result.stderr}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(result.stdout)?.[1] ?? 0);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(result.stdout)?.[1] ?? 0);
  if (non2xx > 0) throw new Error(`wrk saw ${non2xx} error responses:\n${result.stdout}`);
  if (!(rps > 0)) throw new Error(`wrk measured nothing:\n${result.stdout}`);
  const requests = Number(/(\d+) requests in/.exec(result.stdout)?.[1] ?? 0);
  return { rps, requests, p99: wrkMs(/99%\s+([\d.]+)(us|ms|s)/.exec(result.stdout)) };
}

function wrkMs(match) {
  if (match === null) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === "us" ? value / 1000 : match[2] === "s" ? value * 1000 : value;
}

const stops = [];
try {
  const agent = await startServer(join(root, "bench/agent-server.mjs"), { BENCH_AGENT_TOKEN: token });
  stops.push(() => agent.stop());
  const first = await fetch(agent.url + path, { headers });
  const body = await first.text();
  if (first.status !== 200 || JSON.parse(JSON.parse(body).SecretString).username !== "app") {
    throw new Error(`the agent answered ${first.status}`);
  }
  const bare = await startServer(join(root, "bench/agent-bare-server.mjs"), { BENCH_BODY: body });
  stops.push(() => bare.stop());
  const again = await (await fetch(bare.url + path, { headers })).text();
  if (again !== body) throw new Error("the bare server answers another body");
  const servers = [agent, bare];

  console.log(
    `agent cache hit over HTTP, ${body.length}-byte answer, ${connections} connections, ${seconds} s per run, ${rounds} rounds (+${warmupSeconds} s warm-up), load: ${hasWrk ? "wrk" : "node"}${hasTaskset ? ", servers on cpu 0, load on cpu 1" : ""}`,
  );
  for (const server of servers) await load(server, warmupSeconds);
  const ratios = [];
  const agentRps = [];
  const bareRps = [];
  const cpuRatios = [];
  const agentCpu = [];
  const bareCpu = [];
  const agentP99 = [];
  const bareP99 = [];
  for (let round = 0; round < rounds; round++) {
    const results = new Array(servers.length);
    for (let k = 0; k < servers.length; k++) {
      const i = (round + k) % servers.length;
      results[i] = await load(servers[i], seconds);
    }
    const [a, b] = results;
    ratios.push(a.rps / b.rps);
    agentRps.push(a.rps);
    bareRps.push(b.rps);
    cpuRatios.push(a.cpuUs / b.cpuUs);
    agentCpu.push(a.cpuUs);
    bareCpu.push(b.cpuUs);
    agentP99.push(a.p99);
    bareP99.push(b.p99);
    console.log(
      `  round ${round + 1}: agent ${a.rps.toFixed(0)} req/s (p99 ${a.p99.toFixed(2)} ms), bare node:http ${b.rps.toFixed(0)} req/s (p99 ${b.p99.toFixed(2)} ms)` +
        ` | CPU per request: agent ${a.cpuUs.toFixed(1)} µs, bare ${b.cpuUs.toFixed(1)} µs | throughput agent/bare ${ratio(a.rps / b.rps)}, CPU/request agent/bare ${ratio(a.cpuUs / b.cpuUs)}`,
    );
  }
  const headline = median(ratios);
  console.log(`medians of ${rounds} rounds:`);
  const cpuHeadline = median(cpuRatios);
  console.log(`  agent cache hit / bare node:http throughput:        ${ratio(headline)}`);
  console.log(`  agent / bare node:http CPU time per request:        ${ratio(cpuHeadline)}`);
  const result = {
    bench: "agent-cache",
    title: "Agent cache hit over HTTP vs a bare node:http server answering the same body",
    rows: [
      {
        name: "agent / bare node:http throughput",
        value: round3(headline),
        unit: "ratio",
        target: null,
        met: null,
      },
      {
        name: "agent / bare node:http CPU per request",
        value: round3(cpuHeadline),
        unit: "ratio",
        target: null,
        met: null,
      },
      { name: "agent CPU per request", value: round3(median(agentCpu)), unit: "µs", target: null, met: null },
      {
        name: "bare node:http CPU per request",
        value: round3(median(bareCpu)),
        unit: "µs",
        target: null,
        met: null,
      },
      {
        name: "agent throughput",
        value: Math.round(median(agentRps)),
        unit: "req/s",
        target: null,
        met: null,
      },
      {
        name: "bare node:http throughput",
        value: Math.round(median(bareRps)),
        unit: "req/s",
        target: null,
        met: null,
      },
      { name: "agent p99", value: round3(median(agentP99)), unit: "ms", target: null, met: null },
      { name: "bare node:http p99", value: round3(median(bareP99)), unit: "ms", target: null, met: null },
    ],
    notes: [
      `${connections} keep-alive connections, ${seconds} s per run, ${rounds} rounds, median of per-round ratios; load: ${hasWrk ? "wrk" : "node"}; Node ${process.version}`,
      "the agent reads through @coffer/client (env source, ttl 1 h): every request after the first is a cache hit; the token is checked on every request",
    ],
  };
  console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
} finally {
  for (const stop of stops.reverse()) await stop();
}

function round3(x) {
  return Math.round(x * 1000) / 1000;
}
