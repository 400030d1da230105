#!/usr/bin/env node
// `npm run bench`: every benchmark, each reporting ratios measured side by side in one run.
import { spawnSync } from "node:child_process";

for (const script of ["bench/server-throughput.mjs"]) {
  console.log(`\n== ${script}`);
  const result = spawnSync(process.execPath, [script], { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
