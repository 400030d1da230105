// One side of bench/metrics-overhead.mjs, in a process of its own: `node metrics-pipeline-worker.mjs
// on|off CALLS`. Opens a Coffer in a fresh data folder, composed as the server composes it with
// metrics on (CofferMetrics with prom-client's default metrics and event-loop monitor, the timed
// secret store, the audit commit hook, request metrics in the pipeline) or off, warms up, then
// runs CALLS GetSecretValue calls through pipeline.handle (32 in flight) and prints
// `WORKER_RESULT {"usPerCall": …}`. Process-wide costs (the event-loop delay monitor) stay on
// their own side.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { composePipeline } from "../packages/server/dist/app/compose-pipeline.js";
import { openCoffer } from "../packages/server/dist/app/open-coffer.js";
import { AuditReader } from "../packages/server/dist/audit/audit-reader.js";
import { loadConfig } from "../packages/server/dist/config/config.js";
import { createLogger } from "../packages/server/dist/log/logger.js";
import { CofferMetrics } from "../packages/server/dist/metrics/coffer-metrics.js";
import { knownOperationsOf } from "../packages/server/dist/metrics/prom-request-metrics.js";
import { getSecretValueRounds } from "./pipeline-calls.mjs";
import { admin, cofferEnv } from "./support.mjs";

const [side, callsText] = process.argv.slice(2);
const calls = Number(callsText);
const inFlight = Number(process.env.BENCH_IN_FLIGHT ?? 32);
const url = "http://127.0.0.1:4566";
const home = mkdtempSync(join(tmpdir(), "coffer-bench-metrics-"));
const metrics =
  side === "on"
    ? new CofferMetrics({ defaultMetrics: process.env.BENCH_METRICS_DEFAULTS !== "0" })
    : undefined;
const config = loadConfig(cofferEnv(home));
const coffer = await openCoffer(config, Date.now, {
  secretStore: metrics ? (store) => metrics.timeSecretStore(store, config.store.engine) : undefined,
  onAuditCommit: metrics ? (info) => metrics.auditCommitted(info) : undefined,
});
try {
  if (metrics) {
    metrics.observeAuditLog(coffer.auditLog);
    metrics.observeReadModel(() => ({
      ...coffer.readModel.lookups,
      entries: coffer.readModel.size,
      bytes: coffer.readModel.bytes,
    }));
  }
  const pipeline = composePipeline(coffer, createLogger("warn"), {
    auditReader: new AuditReader(coffer.auditLog),
    metrics: metrics
      ? (apis) => metrics.requestMetrics(knownOperationsOf(apis, { secretsmanager: ["SubscribeToChanges"] }))
      : undefined,
  });
  const run = await getSecretValueRounds(pipeline, url, admin, inFlight);
  await run(Math.min(calls, 20_000));
  const usPerCall = await run(calls);
  if (metrics) {
    // The metrics saw every call: a scrape must show them (and is what Prometheus would read).
    const text = await metrics.scrape();
    if (!text.includes('coffer_requests_total{api="secretsmanager",operation="GetSecretValue",outcome="ok"}'))
      throw new Error("metrics on, but GetSecretValue was not counted");
  }
  console.log(`WORKER_RESULT ${JSON.stringify({ usPerCall })}`);
} finally {
  await coffer.close();
  rmSync(home, { recursive: true, force: true });
}
