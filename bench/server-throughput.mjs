#!/usr/bin/env node
// Server throughput, measured side by side in one run (each round runs every server once, the
// first rotating), with wrk replaying pre-signed requests (bench/wrk.mjs):
//
// Reads: GetSecretValue of one secret at 1, 8, 32 and 128 connections (BENCH_CONNECTION_LEVELS)
//   - Coffer, full: SigV4, authorization, validation, the store, decryption, and the audit
//     record durably written before the answer (the shipped main.js, default configuration);
//   - bare node:http answering a constant body of the same size (the ceiling);
//   - moto_server (the machine's Python), skipped with a reason when not installed;
//   - diagnostic, at 32 connections only: Coffer with a no-op audit trail (coffer-server-no-audit.mjs).
//   req/s and p50/p99 latency (wrk --latency) of each; ratios coffer/bare and coffer/moto per round.
//
// Writes, durable (synchronous=FULL commits and the audit record, as shipped), at 32 connections:
//   - PutSecretValue without ClientRequestToken (the server makes a fresh version id for each, as
//     the SDK would with a new token), spread at random over 64 secrets, so each request is a real
//     new version; the same signed request may be sent again, which AWS allows too;
//   - CreateSecret with a unique name per request: the requests are signed ahead of the timed
//     window (the signature covers the body, so wrk cannot make names), each sent once, in order.
//   Against the bare server replaying the same bytes. Ratio coffer/bare per round.
//
// Ends with one BENCH_RESULT line (see scripts/bench.mjs).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { motoVersion, startMoto } from "./moto.mjs";
import { callJson } from "./signed-request.mjs";
import {
  admin,
  benchResult,
  cofferEnv,
  envNumber,
  hasTaskset,
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
import { rawRequest, rawRequests, wrk } from "./wrk.mjs";

const levels = (process.env.BENCH_CONNECTION_LEVELS || "1,8,32,128").split(",").map(Number);
const writeConnections = Math.round(envNumber("BENCH_WRITE_CONNECTIONS", 32));
const warmupSeconds = envNumber("BENCH_WARMUP_SECONDS", 1);
const withNoAudit = process.env.BENCH_NO_AUDIT !== "0";
const putSecrets = 64;
const notes = [];

const call = (url, operation, input) => callJson(url, admin, operation, input);

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

/** wrk, failing on any error answer from a server that must not give one. */
function load(server, requests, options) {
  const result = wrk(server.url, requests, options);
  if (result.errors > 0) {
    const message = `${server.label}: ${result.errors} of ${result.requests} answers were errors at ${options.connections} connections`;
    if (server.label !== "moto") throw new Error(`${message}\n${result.output}`);
    notes.push(message);
  }
  if (result.requests === 0)
    notes.push(
      `${server.label}: no answer at all within ${options.seconds} s at ${options.connections} connections`,
    );
  if (result.socketErrors > 0) {
    notes.push(`${server.label}: ${result.socketErrors} socket errors at ${options.connections} connections`);
  }
  return result;
}

const ms = (x) => `${x.toFixed(2)} ms`;
const fmt = (r) => `${r.rps.toFixed(0)} req/s p50 ${ms(r.p50)} p99 ${ms(r.p99)}`;

const servers = {};
const stops = [];
try {
  servers.coffer = await startCoffer("coffer", join(root, "packages/server/dist/main.js"));
  stops.push(servers.coffer.stop);
  if (withNoAudit) {
    servers.noAudit = await startCoffer("coffer no-audit", join(root, "bench/coffer-server-no-audit.mjs"));
    stops.push(servers.noAudit.stop);
  }
  const bare = await startServerProcess(join(root, "bench/bare-server.mjs"));
  servers.bare = { label: "bare node:http", url: bare.url };
  stops.push(bare.stop);
  const moto = await startMoto();
  if (moto.url) {
    servers.moto = { label: "moto", url: moto.url };
    stops.push(moto.stop);
    await call(moto.url, "CreateSecret", { Name: secretName, SecretString: secretValue });
    const read = await call(moto.url, "GetSecretValue", { SecretId: secretName });
    if (read.SecretString !== secretValue) throw new Error("moto: GetSecretValue returned another value");
  } else {
    notes.push(`moto_server skipped: ${moto.reason}`);
    console.log(`moto_server skipped: ${moto.reason}`);
  }

  // Requests are signed for each server's host:port (the signature covers it), again every
  // round to stay inside the ±5 minute clock-skew window.
  const readers = [servers.coffer, servers.bare, servers.moto].filter(Boolean);
  const signReads = async (list) =>
    Object.fromEntries(
      await Promise.all(
        list.map(async (s) => [
          s.label,
          [await rawRequest(s.url, admin, "GetSecretValue", { SecretId: secretName })],
        ]),
      ),
    );

  console.log(
    `GetSecretValue at ${levels.join(", ")} connections, ${seconds} s per run, ${rounds} rounds (+${warmupSeconds} s warm-up), wrk${hasTaskset ? ", servers on cpu 0, wrk on cpu 1" : ""}`,
  );
  {
    const all = [...readers, servers.noAudit].filter(Boolean);
    const warm = await signReads(all);
    for (const s of all) load(s, warm[s.label], { seconds: warmupSeconds, connections: 32 });
  }

  const rows = [];
  for (const connections of levels) {
    const list = connections === 32 && servers.noAudit ? [...readers, servers.noAudit] : readers;
    const per = Object.fromEntries(list.map((s) => [s.label, []]));
    for (let round = 0; round < rounds; round++) {
      const requests = await signReads(list);
      for (let k = 0; k < list.length; k++) {
        const s = list[(round + k) % list.length];
        per[s.label].push(load(s, requests[s.label], { seconds, connections }));
      }
      console.log(
        `  ${connections} conn, round ${round + 1}: ${list.map((s) => `${s.label} ${fmt(per[s.label][round])}`).join(" | ")}`,
      );
    }
    const med = (label, key) => median(per[label].map((r) => r[key]));
    const perRound = (a, b) => median(per[a].map((r, i) => r.rps / per[b][i].rps));
    for (const s of list) {
      rows.push(row(`GetSecretValue ${connections} conn: ${s.label} req/s`, med(s.label, "rps"), "req/s"));
      rows.push(row(`GetSecretValue ${connections} conn: ${s.label} p50`, med(s.label, "p50"), "ms"));
      rows.push(
        row(
          `GetSecretValue ${connections} conn: ${s.label} p99`,
          med(s.label, "p99"),
          "ms",
          connections === 32 && s === servers.coffer ? "≤ 5 ms" : null,
        ),
      );
    }
    rows.push(
      row(
        `GetSecretValue ${connections} conn: coffer / bare`,
        perRound("coffer", "bare node:http"),
        "×",
        "≥ 0.5",
      ),
    );
    if (servers.moto) {
      rows.push(
        row(`GetSecretValue ${connections} conn: coffer / moto`, perRound("coffer", "moto"), "×", "≥ 40"),
      );
    }
    if (per["coffer no-audit"]) {
      rows.push(
        row(
          `GetSecretValue ${connections} conn: coffer / coffer no-audit (audit cost)`,
          perRound("coffer", "coffer no-audit"),
          "×",
        ),
      );
    }
    console.log(
      `  ${connections} conn medians: coffer/bare ${ratio(perRound("coffer", "bare node:http"))}${servers.moto ? `, coffer/moto ${ratio(perRound("coffer", "moto"))}` : ""}`,
    );
  }

  // Writes.
  const putNames = Array.from({ length: putSecrets }, (_, i) => `bench/put-${i}`);
  for (const name of putNames)
    await call(servers.coffer.url, "CreateSecret", { Name: name, SecretString: secretValue });
  const put = { coffer: [], bare: [] };
  const create = { coffer: [], bare: [] };
  let created = 0;
  console.log(
    `Writes at ${writeConnections} connections, durable commits, ${seconds} s per run, ${rounds} rounds`,
  );
  for (let round = 0; round < rounds; round++) {
    const puts = await rawRequests(
      servers.coffer.url,
      admin,
      "PutSecretValue",
      putNames.map((name) => ({ SecretId: name, SecretString: secretValue })),
    );
    const order = round % 2 === 0 ? ["coffer", "bare"] : ["bare", "coffer"];
    for (const side of order) {
      put[side].push(load(servers[side], puts, { seconds, connections: writeConnections }));
    }
    // Enough unique names for three times this round's PutSecretValue rate; each sent once.
    const count = Math.max(2_000, Math.ceil(put.coffer[round].rps * seconds * 3));
    const names = Array.from({ length: count }, (_, i) => ({
      Name: `bench/create-${round}-${created + i}`,
      SecretString: secretValue,
    }));
    created += count;
    const creates = await rawRequests(servers.coffer.url, admin, "CreateSecret", names);
    for (const side of order) {
      const result = load(servers[side], creates, {
        seconds,
        connections: writeConnections,
        order: "sequence",
      });
      if (side === "coffer" && result.requests > count)
        throw new Error(`CreateSecret: ran out of the ${count} names`);
      create[side].push(result);
    }
    console.log(
      `  round ${round + 1}: PutSecretValue coffer ${fmt(put.coffer[round])} | bare ${fmt(put.bare[round])}; CreateSecret coffer ${fmt(create.coffer[round])} | bare ${fmt(create.bare[round])}`,
    );
  }
  for (const [operation, runs] of [
    ["PutSecretValue", put],
    ["CreateSecret", create],
  ]) {
    rows.push(
      row(
        `${operation} ${writeConnections} conn: coffer req/s`,
        median(runs.coffer.map((r) => r.rps)),
        "req/s",
      ),
    );
    rows.push(
      row(`${operation} ${writeConnections} conn: coffer p99`, median(runs.coffer.map((r) => r.p99)), "ms"),
    );
    rows.push(
      row(`${operation} ${writeConnections} conn: bare req/s`, median(runs.bare.map((r) => r.rps)), "req/s"),
    );
    rows.push(
      row(
        `${operation} ${writeConnections} conn: coffer / bare`,
        median(runs.coffer.map((r, i) => r.rps / runs.bare[i].rps)),
        "×",
        "measured (no numeric target)",
      ),
    );
  }

  const motoText = servers.moto ? `moto ${motoVersion() ?? "?"}` : "no moto";
  notes.push(
    `${seconds} s per run, median of ${rounds} rounds, first server rotating; wrk -t1 with --latency${hasTaskset ? "; servers pinned to cpu 0, wrk to cpu 1" : ""}; ${motoText}`,
    "Writes: PutSecretValue without ClientRequestToken spread over 64 secrets (each a new version); CreateSecret names unique, signed before the timed window, each sent once",
  );
  for (const r of rows) {
    const unit = r.unit === "×" ? "" : ` ${r.unit}`;
    console.log(
      `  ${r.name}: ${r.value}${unit}${r.target ? ` (target ${r.target}${r.met === null ? "" : r.met ? ", met" : ", MISSED"})` : ""}`,
    );
  }
  benchResult("server-throughput", "Server throughput and latency (wrk, side by side)", rows, notes);
} finally {
  await Promise.all(stops.map((stop) => stop()));
}
