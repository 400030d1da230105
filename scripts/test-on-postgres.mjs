#!/usr/bin/env node
// The second engine pass of `npm test`: the server's integration tests again, every server process
// they start keeping its data in PostgreSQL instead of SQLite (COFFER_TEST_STORE=postgres: a
// database of its own per data folder, dropped when the test file ends; see
// packages/server/src/testing/test-store.ts). The storage contract suites already run on both
// engines in the first pass; tests of what only the embedded engine has (its files, its lock, the
// keyring file) pin SQLite, and the files written for PostgreSQL alone run in the first pass only.
//
// Without a PostgreSQL on the machine this pass is skipped with the reason, except when CI=true.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const integration = join(repoRoot, "packages/server/dist/integration");
/** Written for several nodes on PostgreSQL: they set COFFER_STORE themselves. */
const postgresOnly = [
  "multi-node.test.js",
  "next-read-across-nodes.test.js",
  "master-key-across-nodes.test.js",
];

const probe = spawnSync("runuser", ["-u", "postgres", "--", "psql", "-X", "-A", "-t", "-c", "SELECT 1"], {
  encoding: "utf8",
  cwd: "/",
});
if (probe.status !== 0 || probe.stdout.trim() !== "1") {
  const why = (probe.error?.message ?? probe.stderr ?? "").replace(/\s+/g, " ").trim();
  const reason = `PostgreSQL is not available (${why}); start it with: pg_ctlcluster 15 main start`;
  if (process.env.CI === "true") {
    console.error(`${reason}, and CI=true forbids skipping the PostgreSQL pass`);
    process.exit(1);
  }
  console.log(`# skipping the PostgreSQL pass: ${reason}`);
  process.exit(0);
}

const files = readdirSync(integration)
  .filter((name) => name.endsWith(".test.js") && !postgresOnly.includes(name))
  .map((name) => join(integration, name));
console.log(`# the integration tests again, on PostgreSQL (${files.length} files)`);
const run = spawnSync(process.execPath, [join(repoRoot, "scripts/test.mjs"), ...files], {
  stdio: "inherit",
  env: { ...process.env, COFFER_TEST_STORE: "postgres" },
});
process.exit(run.status ?? 1);
