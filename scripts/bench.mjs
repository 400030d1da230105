#!/usr/bin/env node
// `npm run bench`: every benchmark, each reporting ratios measured side by side in one run.
// Build first (`npx tsc -b`): the benchmarks use each package's compiled dist/.
// BENCH_SECONDS (default 5) and BENCH_ROUNDS (default 3) apply to all of them; see bench/support.mjs.
import { spawnSync } from "node:child_process";

const benches = ["bench/client-cache.mjs", "bench/client-cold-fetch.mjs", "bench/server-throughput.mjs"];
const started = performance.now();
for (const script of benches) {
  console.log(`\n== ${script}`);
  const result = spawnSync(process.execPath, [script], { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
console.log(`\n${benches.length} benchmarks in ${((performance.now() - started) / 1000).toFixed(0)} s`);
