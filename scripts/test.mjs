#!/usr/bin/env node
// Runs every compiled test file (`*.test.js` under packages/*/dist) with Node's test runner.
// Node 20's `--test` takes no glob, so the files are listed here.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function findTests(dir) {
  const found = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (entry.endsWith(".test.js")) found.push(path);
  }
  return found;
}

const filter = process.argv.slice(2);
const workspaceFolders = ["packages", "examples"];
const files = workspaceFolders
  .flatMap((folder) => readdirSync(folder).map((pkg) => join(folder, pkg, "dist")))
  .filter((dist) => statSync(dist, { throwIfNoEntry: false })?.isDirectory())
  .flatMap(findTests)
  .filter((file) => filter.length === 0 || filter.some((f) => file.includes(f)))
  .sort();

if (files.length === 0) {
  console.error("no test files found under packages/*/dist or examples/*/dist: run `tsc -b` first");
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ["--enable-source-maps", "--test", "--test-concurrency=2", ...files],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
