#!/usr/bin/env node
// What Prometheus metrics cost a request: GetSecretValue through the request pipeline (no HTTP:
// the per-request work is what metrics add to), with metrics off and on, side by side in one run —
// each round runs both sides, the first side alternating, each in a fresh process
// (bench/metrics-pipeline-worker.mjs) so process-wide costs (prom-client's default metrics, the
// event-loop delay monitor) count on the "on" side only. Reports µs per call of each and the
// throughput ratio on/off per round (median). Ends with one BENCH_RESULT line (scripts/bench.mjs).
import { spawn } from "node:child_process";
import { join } from "node:path";
import { CofferMetrics } from "../packages/server/dist/metrics/coffer-metrics.js";
import { benchResult, callCount, hasTaskset, median, ratio, root, rounds, row } from "./support.mjs";

const calls = callCount(100_000, 10_000);

function side(which) {
  return new Promise((resolve, reject) => {
    const script = join(root, "bench/metrics-pipeline-worker.mjs");
    const args = [script, which, String(calls)];
    const child = hasTaskset
      ? spawn("taskset", ["-c", "0", process.execPath, ...args], { stdio: ["ignore", "pipe", "inherit"] })
      : spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.once("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("WORKER_RESULT "));
      if (code !== 0 || !line) return reject(new Error(`metrics ${which}: exited ${code}\n${out}`));
      resolve(JSON.parse(line.slice("WORKER_RESULT ".length)).usPerCall);
    });
  });
}

const off = [];
const on = [];
console.log(
  `pipeline.handle(GetSecretValue), metrics off vs on, ${calls} calls per side per round, ${rounds} rounds`,
);
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? ["off", "on"] : ["on", "off"];
  for (const which of order) (which === "on" ? on : off).push(await side(which));
  console.log(
    `  round ${round + 1}: off ${off[round].toFixed(1)} µs/call | on ${on[round].toFixed(1)} µs/call | throughput on/off ${ratio(off[round] / on[round])}`,
  );
}
const perRound = median(off.map((us, i) => us / on[i]));

// The hook alone, without the noise of a whole request: what the pipeline adds per request
// (its clock read and RequestMetrics.requestDone), in ns.
const requestMetrics = new CofferMetrics({ defaultMetrics: false }).requestMetrics(
  new Map([["secretsmanager", new Set(["GetSecretValue"])]]),
);
const hookNs = [];
for (let round = 0; round < rounds; round++) {
  const n = 2_000_000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    requestMetrics.requestDone(
      "GetSecretValue",
      "secretsmanager",
      200,
      undefined,
      (performance.now() - t) / 1000,
    );
  }
  hookNs.push(Number(process.hrtime.bigint() - started) / n);
}
console.log(`  the request hook alone: ${median(hookNs).toFixed(0)} ns per request`);
const rows = [
  row("GetSecretValue pipeline, metrics off: µs per call", Number(median(off).toFixed(1)), "µs"),
  row("GetSecretValue pipeline, metrics on: µs per call", Number(median(on).toFixed(1)), "µs"),
  row(
    "throughput with metrics on / off (median of per-round ratios)",
    Number(perRound.toFixed(3)),
    "×",
    "≥ 0.95",
  ),
  // The least disturbed run of each side: on a shared machine, noise only ever adds time.
  row(
    "throughput with metrics on / off (best run of each side)",
    Number((Math.min(...off) / Math.min(...on)).toFixed(3)),
    "×",
  ),
  row(
    "the request hook alone (clock read + requestDone), ns per request",
    Math.round(median(hookNs)),
    "ns",
    "≤ 500",
  ),
];
for (const r of rows) console.log(`  ${r.name}: ${r.value}${r.unit === "×" ? "" : ` ${r.unit}`}`);
benchResult(
  "metrics-overhead",
  "Prometheus metrics: request throughput off vs on (pipeline, side by side)",
  rows,
  [
    `${calls} calls per side per round, 32 in flight, median of ${rounds} rounds, first side alternating, each side in its own process${hasTaskset ? " pinned to cpu 0" : ""}`,
    "On: request counter and histogram (cached children, plain numbers), timed secret store, audit commit hook, prom-client default metrics with the event-loop delay monitor; no scrape during the timed run",
  ],
);
