#!/usr/bin/env node
// Several Coffer nodes on one PostgreSQL against one node on SQLite, side by side in one run
// (issue 11): GetSecretValue and PutSecretValue req/s and p99 of
//   - SQLite, 1 node (the shipped default: coffer.db + the audit journal in the data folder);
//   - PostgreSQL, 1, 2 and 3 nodes (COFFER_STORE=postgres://…, the same COFFER_MASTER_KEY on each;
//     the audit trail is the one chain in the database, docs/adr/0010).
// Real server processes (packages/server/dist/main.js, as shipped, durable). One wrk drives every
// configuration with the same threads and connections in all (BENCH_NODE_CONNECTIONS, default 48,
// over 6 wrk threads), the threads dealt to the nodes round-robin, so each node of N gets 1/N of
// the connections. Nothing is pinned: nodes, PostgreSQL and wrk share the machine's cores, as
// they would on one host. Each round runs every configuration once per operation, the first
// rotating, so a noisy shared machine weighs on all alike; ratios are medians of per-round ratios.
//
// GetSecretValue reads one secret (from each node's read model, docs/adr/0008; each answer still
// waits for its audit event). PutSecretValue has no ClientRequestToken and goes to 512 secrets
// (BENCH_NODE_PUT_SECRETS) at random, each a new version; two nodes writing one secret at once is resolved by the domain's
// optimistic retry. Around each run the CPU time of the nodes, of PostgreSQL's processes and of
// wrk is read from /proc, to say where the cores went.
//
// Needs the machine's PostgreSQL (pg_ctlcluster 15 main start) and wrk; creates its own superuser
// and database and drops them at the end, and stops exactly the processes it started.
// Usage: node bench/postgres-nodes.mjs  (BENCH_SECONDS, BENCH_ROUNDS, BENCH_WARMUP_SECONDS,
// BENCH_NODE_CONNECTIONS). Ends with one BENCH_RESULT line (see scripts/bench.mjs).
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout } from "node:timers/promises";
import { postgresKit } from "../packages/server/dist/testing/postgres.js";
import { callJson } from "./signed-request.mjs";
import {
  admin,
  benchResult,
  cofferEnv,
  envNumber,
  median,
  ratio,
  root,
  rounds,
  row,
  seconds,
  secretName,
  secretValue,
  startServerProcess,
} from "./support.mjs";
import { rawRequest, rawRequests, wrkSpread } from "./wrk.mjs";

const threads = 6; // divisible by 1, 2 and 3 nodes
const connections = Math.round(envNumber("BENCH_NODE_CONNECTIONS", 48) / threads) * threads || threads;
const warmupSeconds = envNumber("BENCH_WARMUP_SECONDS", 1);
const putSecrets = Math.round(envNumber("BENCH_NODE_PUT_SECRETS", 512));
const mainJs = join(root, "packages/server/dist/main.js");
const ticksPerSecond = 100; // USER_HZ of Linux's /proc times
const notes = [];

const call = (url, operation, input) => callJson(url, admin, operation, input);

// ---- CPU accounting from /proc (Linux); undefined elsewhere ----

/** utime + stime of one process, in clock ticks. */
function processTicks(pid, children = false) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After the command: fields[11] utime, [12] stime, [13] cutime, [14] cstime (waited-for children).
    return children ? Number(fields[13]) + Number(fields[14]) : Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/**
 * CPU ticks of each PostgreSQL process that works for this bench: the backends connected to its
 * database and the cluster's background processes (WAL writer, checkpointer, ...). Other clients'
 * backends on the shared cluster are left out.
 */
async function postgresTicks() {
  const rows = await kit.sql(
    "SELECT pid FROM pg_stat_activity WHERE (datname = $1 OR backend_type <> 'client backend') AND pid <> pg_backend_pid()",
    [database],
  );
  return new Map(rows.map((r) => [r.pid, processTicks(r.pid)]));
}

/** Ticks of the processes in `after` since `before`; one that started in between counts from 0. */
function ticksSince(before, after) {
  let sum = 0;
  for (const [pid, ticks] of after) sum += Math.max(0, ticks - (before.get(pid) ?? 0));
  return sum;
}

/** The whole machine: total and idle ticks, from the first line of /proc/stat. */
function machineTicks() {
  const [, ...values] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/);
  const n = values.map(Number);
  return { total: n.reduce((a, b) => a + b, 0), idle: n[3] + (n[4] ?? 0) };
}

async function cpuSnapshot(nodes) {
  try {
    return {
      machine: machineTicks(),
      nodes: nodes.reduce((sum, node) => sum + processTicks(node.pid), 0),
      postgres: await postgresTicks(),
      // wrk runs as this process's child and is waited for: its time lands in our cutime/cstime.
      wrk: processTicks(process.pid, true),
    };
  } catch {
    return undefined;
  }
}

function cpuUsed(before, after, requests) {
  if (!before || !after || requests === 0) return undefined;
  const perRequest = (ticks) => (ticks * 1000) / ticksPerSecond / requests;
  const total = after.machine.total - before.machine.total;
  const idle = after.machine.idle - before.machine.idle;
  return {
    busy: total > 0 ? (total - idle) / total : Number.NaN,
    nodesMs: perRequest(after.nodes - before.nodes),
    postgresMs: perRequest(ticksSince(before.postgres, after.postgres)),
    wrkMs: perRequest(after.wrk - before.wrk),
  };
}

/**
 * Waits (polling, 30 s at most) until the requests wrk left in flight are done: no query of this
 * bench's database running and the nodes quiet (at most one tick in 100 ms, twice in a row), so a
 * run's backlog does not weigh on the next. Returns false when the deadline passed.
 */
async function drained(nodes) {
  const deadline = performance.now() + 30_000;
  const nodeTicks = () => nodes.reduce((sum, node) => sum + processTicks(node.pid), 0);
  let last = nodeTicks();
  let quiet = 0;
  while (performance.now() < deadline) {
    await setTimeout(100);
    const [{ active }] = await kit.sql(
      "SELECT count(*)::int AS active FROM pg_stat_activity WHERE datname = $1 AND state <> 'idle' AND pid <> pg_backend_pid()",
      [database],
    );
    const now = nodeTicks();
    quiet = now - last <= 1 && active === 0 ? quiet + 1 : 0;
    if (quiet >= 2) return true;
    last = now;
  }
  return false;
}

// ---- the servers ----

const homes = [];
const running = [];

async function startNode(label, env) {
  const home = mkdtempSync(join(tmpdir(), "coffer-bench-nodes-"));
  homes.push(home);
  const server = await startServerProcess(mainJs, { ...cofferEnv(home), ...env }, { cpu: null });
  running.push(server);
  return { label, url: server.url, pid: server.pid };
}

let kit;
let database;
let cleaned = false;
async function cleanUp() {
  if (cleaned) return;
  cleaned = true;
  // Exactly the processes started here, then their folders, then the database and the role.
  await Promise.all(running.map((server) => server.stop()));
  for (const home of homes) rmSync(home, { recursive: true, force: true });
  if (database) await kit.sql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await kit?.close();
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    cleanUp().finally(() => process.exit(130));
  });
}

const ms = (x) => `${x.toFixed(1)} ms`;

try {
  kit = await postgresKit();
  database = kit.name("coffer_nodes_bench");
  await kit.sql(`CREATE DATABASE ${database} ENCODING 'UTF8' TEMPLATE template0`);
  const store = `postgres://${kit.admin.user}:${kit.admin.password}@${kit.admin.host}:${kit.admin.port}/${database}`;
  const masterKey = randomBytes(32).toString("base64");

  const sqlite = await startNode("SQLite node", {});
  // The first PostgreSQL node lays out the schema; the other two then join it.
  const pg = [await startNode("PostgreSQL node 1", { COFFER_STORE: store, COFFER_MASTER_KEY: masterKey })];
  pg.push(
    ...(await Promise.all(
      [2, 3].map((n) =>
        startNode(`PostgreSQL node ${n}`, { COFFER_STORE: store, COFFER_MASTER_KEY: masterKey }),
      ),
    )),
  );

  const putNames = Array.from({ length: putSecrets }, (_, i) => `bench/put-${i}`);
  for (const node of [sqlite, pg[0]]) {
    await call(node.url, "CreateSecret", { Name: secretName, SecretString: secretValue });
    for (let i = 0; i < putNames.length; i += 16) {
      await Promise.all(
        putNames
          .slice(i, i + 16)
          .map((name) => call(node.url, "CreateSecret", { Name: name, SecretString: secretValue })),
      );
    }
  }
  // Every PostgreSQL node sees what node 1 wrote (the database is shared, not copied).
  for (const node of [sqlite, ...pg]) {
    const read = await call(node.url, "GetSecretValue", { SecretId: secretName });
    if (read.SecretString !== secretValue)
      throw new Error(`${node.label}: GetSecretValue returned another value`);
  }

  const allNodes = [sqlite, ...pg];
  const configs = [
    { label: "SQLite 1 node", nodes: [sqlite] },
    { label: "PostgreSQL 1 node", nodes: pg.slice(0, 1) },
    { label: "PostgreSQL 2 nodes", nodes: pg.slice(0, 2) },
    { label: "PostgreSQL 3 nodes", nodes: pg },
  ];
  const operations = ["GetSecretValue", "PutSecretValue"];
  const inputs = {
    GetSecretValue: [{ SecretId: secretName }],
    PutSecretValue: putNames.map((name) => ({ SecretId: name, SecretString: secretValue })),
  };
  // Signed for each node's host:port (the signature covers it), again every round to stay inside
  // the ±5 minute clock-skew window.
  const sign = async (operation) =>
    new Map(
      await Promise.all(
        [sqlite, ...pg].map(async (node) => [
          node,
          operation === "GetSecretValue"
            ? [await rawRequest(node.url, admin, operation, inputs[operation][0])]
            : await rawRequests(node.url, admin, operation, inputs[operation]),
        ]),
      ),
    );

  const auditHead = async () =>
    Number((await kit.sql("SELECT coalesce(max(seq), 0) AS seq FROM audit_events", [], database))[0].seq);
  /** The PostgreSQL audit chain since `seq`: events, and transactions (distinct inserting xids). */
  const auditSince = async (seq) => {
    const [r] = await kit.sql(
      "SELECT count(*)::int AS events, count(DISTINCT xmin::text)::int AS transactions FROM audit_events WHERE seq > $1",
      [seq],
      database,
    );
    return r;
  };

  /** One timed run of one configuration; fails on error answers beyond 1 in 1,000. */
  async function load(config, operation, signed, runSeconds) {
    const targets = config.nodes.map((node) => ({ url: node.url, requests: signed.get(node) }));
    const onPostgres = config.nodes[0] !== sqlite;
    const seq = onPostgres ? await auditHead() : 0;
    const before = await cpuSnapshot(config.nodes);
    const result = wrkSpread(targets, { seconds: runSeconds, connections, threads });
    const cpu = cpuUsed(before, await cpuSnapshot(config.nodes), result.requests);
    if (!(await drained(allNodes)))
      notes.push(`${config.label} ${operation}: still busy 30 s after a run (the next run overlapped it)`);
    // Counted after the drain, so it includes the requests wrk left in flight.
    const audit = onPostgres ? await auditSince(seq) : undefined;
    const bad = result.errors + result.socketErrors;
    if (bad > result.requests / 1000)
      throw new Error(
        `${config.label} ${operation}: ${result.errors} error answers and ${result.socketErrors} socket errors in ${result.requests}\n${result.output}`,
      );
    if (bad > 0)
      notes.push(
        `${config.label} ${operation}: ${result.errors} error answers, ${result.socketErrors} socket errors in ${result.requests} requests`,
      );
    return { ...result, cpu, audit };
  }

  console.log(
    `${operations.join(" and ")} at ${connections} connections (${threads} wrk threads dealt to the nodes), ${seconds} s per run, ${rounds} rounds (+${warmupSeconds} s warm-up), ${cpus().length} cores shared by nodes, PostgreSQL and wrk`,
  );
  for (const operation of operations) {
    const signed = await sign(operation);
    for (const config of configs) await load(config, operation, signed, warmupSeconds);
  }

  const runs = Object.fromEntries(
    operations.map((op) => [op, Object.fromEntries(configs.map((c) => [c.label, []]))]),
  );
  const fmt = (r) => `${r.rps.toFixed(0)} req/s p99 ${ms(r.p99)}`;
  for (let round = 0; round < rounds; round++) {
    for (const operation of operations) {
      const signed = await sign(operation);
      for (let k = 0; k < configs.length; k++) {
        const config = configs[(round + k) % configs.length];
        runs[operation][config.label].push(await load(config, operation, signed, seconds));
      }
      console.log(
        `  round ${round + 1} ${operation}: ${configs.map((c) => `${c.label} ${fmt(runs[operation][c.label][round])}`).join(" | ")}`,
      );
    }
  }

  const rows = [];
  const summary = Object.fromEntries(operations.map((op) => [op, {}]));
  const [sqliteOne, pgOne] = [configs[0].label, configs[1].label];
  for (const operation of operations) {
    const per = runs[operation];
    const perRound = (a, b) => median(per[a].map((r, i) => r.rps / per[b][i].rps));
    const med = (label, key) => median(per[label].map((r) => r[key]));
    const prefix = `${operation} ${connections} conn:`;
    for (const c of configs) {
      rows.push(row(`${prefix} ${c.label} req/s`, med(c.label, "rps"), "req/s"));
      rows.push(row(`${prefix} ${c.label} p99`, med(c.label, "p99"), "ms"));
    }
    for (const c of configs.slice(1)) {
      rows.push(row(`${prefix} ${c.label} / ${sqliteOne}`, perRound(c.label, sqliteOne), "×"));
    }
    for (const c of configs.slice(2)) {
      rows.push(row(`${prefix} ${c.label} / ${pgOne}`, perRound(c.label, pgOne), "×"));
    }
    for (const c of configs) {
      const cpu = per[c.label].map((r) => r.cpu).filter(Boolean);
      const audited = per[c.label].filter((r) => r.audit && r.audit.transactions > 0);
      const m = (key) => median(cpu.map((x) => x[key]));
      const facts = {
        busy: cpu.length > 0 ? m("busy") : Number.NaN,
        cpuMs: cpu.length > 0 ? m("nodesMs") + m("postgresMs") + m("wrkMs") : Number.NaN,
        eventsPerTransaction:
          audited.length > 0 ? median(audited.map((r) => r.audit.events / r.audit.transactions)) : Number.NaN,
        transactionsPerSecond:
          audited.length > 0 ? median(audited.map((r) => r.audit.transactions / seconds)) : Number.NaN,
        // The drained backlog is in the events, not in wrk's count: a slight over-estimate.
        eventsPerRequest:
          audited.length > 0 ? median(audited.map((r) => r.audit.events / r.requests)) : Number.NaN,
      };
      summary[operation][c.label] = facts;
      if (cpu.length === 0) continue;
      const auditText = Number.isNaN(facts.eventsPerTransaction)
        ? ""
        : `; audit chain: ${facts.transactionsPerSecond.toFixed(0)} transactions/s of ${facts.eventsPerTransaction.toFixed(1)} events, ${facts.eventsPerRequest.toFixed(1)} events per request`;
      notes.push(
        `${operation}, ${c.label}: machine ${(facts.busy * 100).toFixed(0)}% busy; CPU per request: Coffer node${c.nodes.length > 1 ? "s" : ""} ${m("nodesMs").toFixed(2)} ms, PostgreSQL ${m("postgresMs").toFixed(2)} ms, wrk ${m("wrkMs").toFixed(2)} ms (${facts.cpuMs.toFixed(2)} ms in all: one core's worth is ~${Math.round(1000 / facts.cpuMs)} req/s)${auditText}`,
      );
    }
    console.log(
      `  ${operation} medians: ${configs
        .slice(1)
        .map((c) => `${c.label}/${sqliteOne} ${ratio(perRound(c.label, sqliteOne))}`)
        .join(", ")}; ${configs
        .slice(2)
        .map((c) => `${c.label}/${pgOne} ${ratio(perRound(c.label, pgOne))}`)
        .join(", ")}`,
    );
  }

  const pgLabels = configs.slice(1).map((c) => c.label);
  const series = (operation, key, digits, unit = "") =>
    pgLabels.map((label) => `${summary[operation][label][key].toFixed(digits)}${unit}`).join(" → ");
  const busy = (operation) =>
    configs.map((c) => `${(summary[operation][c.label].busy * 100).toFixed(0)}%`).join(", ");
  notes.push(
    `${seconds} s per run, median of ${rounds} rounds, first configuration rotating; one wrk (${threads} threads, ${connections} connections in all, threads dealt to the nodes round-robin), --latency; nothing pinned; all processes started once and kept running (idle nodes of a configuration stay up); between runs, waited until the nodes and the database were idle`,
    `**What the node ratios mean here.** This machine has ${cpus().length} cores, shared by the nodes, PostgreSQL, wrk (and whatever else runs on it): a second or third node brings no CPU of its own, only more processes, connections and smaller batches sharing the same cores and the same load (${connections} connections in all). So PostgreSQL N nodes / 1 node below 1 is the cost of spreading a fixed load over more processes on one host, not what a cluster of hosts would show; a ratio above 1 would need idle cores, which there are not.`,
    `**GetSecretValue on PostgreSQL waits on the audit chain.** Each answer is served from the node's in-memory read model (no store query) but waits for its audit event, which each node group-commits into the one chain whose head lock admits one transaction at a time (docs/adr/0010). With 1 → 2 → 3 nodes each node holds a third as many of the ${connections} connections, so its transactions carry ${series("GetSecretValue", "eventsPerTransaction", 1)} events while the chain runs ${series("GetSecretValue", "transactionsPerSecond", 0)} transactions/s (the lock handed from node to node), and the machine is ${busy("GetSecretValue")} busy (SQLite 1 node first): ${pgLabels.some((label) => summary.GetSecretValue[label].busy < 0.95) ? "cores left idle while requests wait, so the chain, not the CPU, is the limit" : "saturated as well, so here both the CPU and the chain limit it"}. The SQLite node answers once its event has reached the operating system (flushed to disk every 100 ms, COFFER_AUDIT_FSYNC_MS), with no lock shared with other processes; a PostgreSQL node answers after a durable commit (WAL flushed): not the same durability, hence much of SQLite's lead.`,
    "On more cores (or nodes on their own hosts) GetSecretValue's own work (HTTP, SigV4, authorization, the read model's ready answer) scales with the nodes, and PostgreSQL's per-connection backends use the extra cores; the shared limit left is the audit chain: about (transactions/s the head lock admits, ~1 / (round trip + WAL flush)) × (events per transaction). More nodes do not raise it; more concurrent requests per node (bigger batches) and a faster WAL device do. With many clients per node the batches grow and Gets scale with nodes until that ceiling.",
    `**PutSecretValue on PostgreSQL is CPU-bound here** (machine ${busy("PutSecretValue")} busy): each Put costs ${series("PutSecretValue", "cpuMs", 1, " ms")} of CPU in all (nodes + PostgreSQL + wrk, 1 → 3 nodes), most of it in PostgreSQL, against SQLite's ${summary.PutSecretValue[sqliteOne].cpuMs.toFixed(1)} ms, and writes ${series("PutSecretValue", "eventsPerRequest", 1)} audit events (intent before the commit and outcome after, docs/adr/0005), i.e. waits for two chain transactions besides its own commit. More nodes add CPU per Put (more connections, row-lock waits and optimistic retries when two nodes write one secret) and latency.`,
    "On more cores PutSecretValue would scale with cores until the database's commits are the limit: every Put is a PostgreSQL transaction (WAL flush; PostgreSQL group-commits concurrent ones) plus two audit-chain transactions, shared by all nodes; more nodes then add latency, not throughput. Its ceiling is the database (its CPU, WAL device and the chain's head lock), not the number of Coffer nodes.",
  );
  for (const r of rows) console.log(`  ${r.name}: ${r.value}${r.unit === "×" ? "×" : ` ${r.unit}`}`);
  benchResult(
    "postgres-nodes",
    "PostgreSQL with 1, 2 and 3 nodes against SQLite with 1 node (wrk, side by side)",
    rows,
    notes,
  );
} finally {
  await cleanUp();
}
