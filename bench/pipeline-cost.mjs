#!/usr/bin/env node
// Coffer's own CPU per GetSecretValue, without node:http: the request pipeline (frame, SigV4,
// parse, validate, authorize, read model, compiled audit line, group-committed journal write)
// called directly with a signed request, 32 calls in flight as wrk would keep them, N calls per
// round. What is left of the gap to a bare node:http server once the HTTP cost is taken out.
// `node --cpu-prof bench/pipeline-cost.mjs` profiles exactly this path.
// Ends with one BENCH_RESULT line (see scripts/bench.mjs).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { composePipeline } from "../packages/server/dist/app/compose-pipeline.js";
import { openCoffer } from "../packages/server/dist/app/open-coffer.js";
import { AuditReader } from "../packages/server/dist/audit/audit-reader.js";
import { loadConfig } from "../packages/server/dist/config/config.js";
import { createLogger } from "../packages/server/dist/log/logger.js";
import { getSecretValueRounds } from "./pipeline-calls.mjs";
import { callCount, cofferEnv, median, rounds } from "./support.mjs";

const calls = callCount(100_000, 10_000);
const inFlight = Number(process.env.BENCH_IN_FLIGHT ?? 32);
const url = "http://127.0.0.1:4566";
const home = mkdtempSync(join(tmpdir(), "coffer-bench-pipeline-"));
const coffer = await openCoffer(loadConfig(cofferEnv(home)));
try {
  const pipeline = composePipeline(coffer, createLogger("warn"), {
    auditReader: new AuditReader(coffer.auditLog),
  });
  const { admin } = await import("./support.mjs");
  const run = await getSecretValueRounds(pipeline, url, admin, inFlight);
  await run(Math.min(calls, 20_000));
  const perCall = [];
  console.log(
    `pipeline.handle(GetSecretValue), ${inFlight} in flight, ${calls} calls per round, ${rounds} rounds`,
  );
  for (let round = 0; round < rounds; round++) {
    const us = await run(calls);
    perCall.push(us);
    console.log(
      `  round ${round + 1}: ${us.toFixed(1)} µs per call (${Math.round(1e6 / us)} calls/s on one core)`,
    );
  }
  const us = median(perCall);
  console.log(`median: ${us.toFixed(1)} µs per call`);
  console.log(
    `BENCH_RESULT ${JSON.stringify({
      bench: "pipeline-cost",
      title: "Coffer's own CPU per GetSecretValue, no HTTP (request pipeline called directly)",
      rows: [
        {
          name: "pipeline.handle(GetSecretValue), µs per call",
          value: Number(us.toFixed(1)),
          unit: "µs",
          target: null,
          met: null,
        },
        {
          name: "calls per second on one core",
          value: Math.round(1e6 / us),
          unit: "calls/s",
          target: null,
          met: null,
        },
      ],
      notes: [
        "Everything but node:http: SigV4, validation, authorization, read model, compiled audit line and journal write.",
      ],
    })}`,
  );
} finally {
  await coffer.close();
  rmSync(home, { recursive: true, force: true });
}
