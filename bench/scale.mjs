#!/usr/bin/env node
// Flat with size: two Coffer servers side by side, one on a store of 1,000 secrets and one on
// BENCH_SECRETS (default 1,000,000), both seeded with real secrets by bench/seed-store.mjs (cached
// between runs under ~/.cache/coffer-bench, keyed by the server's code; each server runs on a
// fresh copy). BENCH_SKIP_SCALE=1 skips it.
//
// Measured for each store:
//   - start-up time (spawn to "listening"), resident memory after start and after the run (and
//     the peak), bytes of the store's files per secret;
//   - GetSecretValue with wrk at BENCH_SCALE_CONNECTIONS (default 1,32): of one secret, and spread
//     uniformly over min(size, BENCH_SPREAD = 1,000) secrets of the store (pre-signed, picked at
//     random per request), req/s and p50/p99; rounds alternate which store goes first. Before the
//     timed runs each spread secret is read once (32 at a time), timed as "first read": the first
//     read of a secret in a day also records its LastAccessedDate, a durable write;
//   - ListSecrets, one page (MaxResults 100) without filters and with filters name, tag-key,
//     description and all, each matching the 10 "needle" secrets spread through the store (so a
//     full scan shows); sequential calls alternating between the stores, each on a new connection, median time per call
//     (BENCH_LIST_CALLS, default 20, fewer when calls are slow: past ~4 s per case and store, no more;
//     a single call that slow is measured once).
// Targets: 1M latency ≤ 1.3× the 1k latency, for GetSecretValue and for each ListSecrets page.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { needleCount, secretNameAt, seededStore, storeBreakdown, storeBytes } from "./seed-store.mjs";
import { callJson, signedCall } from "./signed-request.mjs";
import {
  admin,
  benchResult,
  cofferEnv,
  envNumber,
  median,
  ratio,
  residentMb,
  root,
  rounds,
  row,
  seconds,
  secretName,
  secretValue,
  startServerProcess,
} from "./support.mjs";
import { rawRequests, wrk } from "./wrk.mjs";

const title = "Flat with size: 1,000 secrets vs BENCH_SECRETS";
if (process.env.BENCH_SKIP_SCALE === "1") {
  console.log("skipped (BENCH_SKIP_SCALE=1)");
  benchResult("scale", title, [], ["skipped (BENCH_SKIP_SCALE=1)"]);
  process.exit(0);
}

const small = 1_000;
const large = Math.round(envNumber("BENCH_SECRETS", 1_000_000));
if (large <= small) throw new Error(`BENCH_SECRETS must be more than ${small}`);
const levels = (process.env.BENCH_SCALE_CONNECTIONS || "1,32").split(",").map(Number);
const spread = Math.round(envNumber("BENCH_SPREAD", 1_000));
const listCalls = Math.round(envNumber("BENCH_LIST_CALLS", 20));
const listBudgetMs = 4_000;
const k = (n) => (n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n));
const notes = [];
const rows = [];

const call = (url, operation, input) => callJson(url, admin, operation, input);

/** Starts a server on a fresh copy of the seeded store of `count` secrets. */
async function startTier(count) {
  const { folder, seededSeconds } = seededStore(count);
  const home = mkdtempSync(join(tmpdir(), "coffer-bench-scale-"));
  const copied = spawnSync("cp", ["-r", "--reflink=auto", `${folder}/.`, home]);
  if (copied.status !== 0) throw new Error(`copying ${folder} failed: ${copied.stderr}`);
  rmSync(join(home, "complete"), { force: true });
  let breakdown = [];
  try {
    breakdown = storeBreakdown(home); // on the copy, before the server locks it
  } catch (error) {
    notes.push(`no per-table breakdown of the store: ${error.message}`);
  }
  const started = performance.now();
  let server;
  try {
    server = await startServerProcess(join(root, "packages/server/dist/main.js"), cofferEnv(home));
  } catch (error) {
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
  const startupSeconds = (performance.now() - started) / 1000;
  const tier = {
    count,
    label: k(count),
    url: server.url,
    pid: server.pid,
    startupSeconds,
    seededSeconds,
    rssStart: residentMb(server.pid),
    bytesPerSecret: storeBytes(folder) / count,
    breakdown,
    stop: async () => {
      await server.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
  const read = await call(server.url, "GetSecretValue", { SecretId: secretName });
  if (read.SecretString !== secretValue)
    throw new Error(`${tier.label}: the bench secret reads another value`);
  console.log(
    `${tier.label} secrets: started in ${startupSeconds.toFixed(2)} s, RSS ${tier.rssStart?.toFixed(0)} MB, ${tier.bytesPerSecret.toFixed(0)} bytes per secret on disk${seededSeconds ? `, seeded in ${seededSeconds.toFixed(0)} s` : ""}`,
  );
  return tier;
}

const tiers = [];
try {
  tiers.push(await startTier(small));
  tiers.push(await startTier(large));
  const [a, b] = tiers;

  // GetSecretValue.
  const names = (count) => {
    const n = Math.min(count, spread);
    return Array.from({ length: n }, (_, j) => secretNameAt(Math.floor(((j + 0.5) * count) / n), count));
  };
  const mixes = [
    { name: "one secret", ids: () => [secretName] },
    { name: `spread over min(size, ${k(spread)})`, ids: (count) => names(count) },
  ];
  // The first read of each spread secret, outside the timed runs (it writes LastAccessedDate).
  for (const tier of tiers) {
    const ids = names(tier.count);
    const started = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < ids.length) await call(tier.url, "GetSecretValue", { SecretId: ids[next++] });
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    const rate = ids.length / ((performance.now() - started) / 1000);
    rows.push(
      row(
        `GetSecretValue first read of the day (32 at a time, signing included): ${tier.label} req/s`,
        rate,
        "req/s",
      ),
    );
    console.log(
      `first read of ${ids.length} secrets at ${tier.label}: ${rate.toFixed(0)} req/s (signing included)`,
    );
  }
  console.log(`GetSecretValue at ${levels.join(", ")} connections, ${seconds} s per run, ${rounds} rounds`);
  for (const connections of levels) {
    for (const mix of mixes) {
      const results = { [a.label]: [], [b.label]: [] };
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? [a, b] : [b, a];
        for (const tier of order) {
          const requests = await rawRequests(
            tier.url,
            admin,
            "GetSecretValue",
            mix.ids(tier.count).map((id) => ({ SecretId: id })),
          );
          const result = wrk(tier.url, requests, { seconds, connections });
          if (result.errors > 0)
            throw new Error(`${tier.label}: ${result.errors} error answers\n${result.output}`);
          results[tier.label].push(result);
        }
      }
      const med = (tier, key) => median(results[tier.label].map((r) => r[key]));
      const label = `GetSecretValue ${connections} conn, ${mix.name}`;
      for (const tier of tiers) {
        rows.push(row(`${label}: ${tier.label} req/s`, med(tier, "rps"), "req/s"));
        rows.push(row(`${label}: ${tier.label} p50`, med(tier, "p50"), "ms"));
        rows.push(row(`${label}: ${tier.label} p99`, med(tier, "p99"), "ms"));
      }
      const p50 = median(results[b.label].map((r, i) => r.p50 / results[a.label][i].p50));
      const p99 = median(results[b.label].map((r, i) => r.p99 / results[a.label][i].p99));
      rows.push(row(`${label}: p50 ${b.label} / ${a.label}`, p50, "×", "≤ 1.3"));
      rows.push(row(`${label}: p99 ${b.label} / ${a.label}`, p99, "×", "≤ 1.3"));
      console.log(
        `  ${label}: ${tiers.map((t) => `${t.label} ${med(t, "rps").toFixed(0)} req/s p50 ${med(t, "p50").toFixed(2)} ms p99 ${med(t, "p99").toFixed(2)} ms`).join(" | ")} | p50 ratio ${ratio(p50)}, p99 ratio ${ratio(p99)}`,
      );
    }
  }

  // ListSecrets.
  const cases = [
    { name: "no filter", input: {}, expected: 100 },
    { name: "name", input: { Filters: [{ Key: "name", Values: ["needle/"] }] }, expected: needleCount },
    { name: "tag-key", input: { Filters: [{ Key: "tag-key", Values: ["needle"] }] }, expected: needleCount },
    {
      name: "description",
      input: { Filters: [{ Key: "description", Values: ["needle"] }] },
      expected: needleCount,
    },
    { name: "all", input: { Filters: [{ Key: "all", Values: ["needle"] }] }, expected: needleCount },
  ];
  console.log(
    `ListSecrets, one page of up to 100, up to ${listCalls} sequential calls per store, alternating`,
  );
  for (const c of cases) {
    const times = { [a.label]: [], [b.label]: [] };
    const spent = { [a.label]: 0, [b.label]: 0 };
    for (let i = 0; i < listCalls; i++) {
      if (i >= 1 && Math.max(spent[a.label], spent[b.label]) > listBudgetMs) break; // a full scan at 1M takes seconds
      for (const tier of i % 2 === 0 ? [a, b] : [b, a]) {
        const {
          status,
          text,
          ms: elapsed,
        } = await signedCall(tier.url, admin, "ListSecrets", {
          MaxResults: 100,
          ...c.input,
        });
        if (status !== 200) throw new Error(`ListSecrets ${c.name} on ${tier.label} (${status}): ${text}`);
        if (i === 0) {
          const found = JSON.parse(text).SecretList.length;
          if (found !== c.expected) {
            notes.push(
              `ListSecrets ${c.name} at ${tier.label}: first page held ${found} secrets, expected ${c.expected}`,
            );
          }
        }
        times[tier.label].push(elapsed);
        spent[tier.label] += elapsed;
      }
    }
    const [ta, tb] = [median(times[a.label]), median(times[b.label])];
    rows.push(row(`ListSecrets ${c.name}: ${a.label}`, ta, "ms"));
    rows.push(row(`ListSecrets ${c.name}: ${b.label}`, tb, "ms"));
    rows.push(row(`ListSecrets ${c.name}: ${b.label} / ${a.label}`, tb / ta, "×", "≤ 1.3"));
    console.log(
      `  ${c.name}: ${a.label} ${ta.toFixed(2)} ms, ${b.label} ${tb.toFixed(2)} ms (median of ${times[a.label].length}) | ratio ${ratio(tb / ta)}`,
    );
  }

  for (const tier of tiers) {
    tier.rssEnd = residentMb(tier.pid);
    tier.rssPeak = residentMb(tier.pid, "VmHWM");
    rows.push(row(`${tier.label} secrets: start-up`, tier.startupSeconds, "s"));
    rows.push(row(`${tier.label} secrets: RSS after start`, tier.rssStart, "MB"));
    rows.push(row(`${tier.label} secrets: RSS after the run`, tier.rssEnd, "MB"));
    rows.push(row(`${tier.label} secrets: peak RSS`, tier.rssPeak, "MB"));
    rows.push(row(`${tier.label} secrets: store bytes per secret`, tier.bytesPerSecret, "B"));
    if (tier.seededSeconds)
      rows.push(row(`${tier.label} secrets: seeding (not cached)`, tier.seededSeconds, "s"));
    console.log(
      `${tier.label}: RSS after the run ${tier.rssEnd?.toFixed(0)} MB (peak ${tier.rssPeak?.toFixed(0)} MB)`,
    );
  }
  // What each byte of the large store is for: tables and indexes at ≥ 1 byte per secret.
  for (const part of b.breakdown) {
    if (part.bytes / b.count >= 1) {
      rows.push(
        row(
          `${b.label} store bytes per secret: ${part.name} (payload ${(part.payload / b.count).toFixed(0)} B)`,
          part.bytes / b.count,
          "B",
        ),
      );
    }
  }
  rows.push(row(`start-up ${b.label} / ${a.label}`, b.startupSeconds / a.startupSeconds, "×"));
  rows.push(row(`RSS after the run ${b.label} / ${a.label}`, b.rssEnd / a.rssEnd, "×"));
  notes.push(
    `${k(small)} vs ${k(large)} secrets (one version each, tags and description), seeded through the server's SecretWriter (bench/seed-store.mjs) and cached; ${seconds} s per wrk run, median of ${rounds} rounds alternating which store goes first`,
    "Store bytes per secret: coffer.db (and its WAL) divided by the number of secrets; no audit events in the seeded store",
  );
  benchResult("scale", title, rows, notes);
} finally {
  await Promise.all(tiers.map((t) => t.stop()));
}
