#!/usr/bin/env node
// The second engine pass of `npm test`, with COFFER_TEST_STORE=postgres:
// - every test that drives a real server process again (the server's integration tests, the CLI's,
//   the agent's and the client library's live ones), every server process they start keeping its
//   data in PostgreSQL instead of SQLite (a database of its own per data folder, dropped when the
//   test file ends; see packages/server/src/testing/test-store.ts);
// - the server's unit tests that open stores themselves (the domain's and the app's), each store on
//   a database of the test file instead of a SQLite file (storage/test-stores.test-helper.ts).
// The storage contract suites already run on both engines in the first pass; tests of what only
// the embedded engine has (its files, its lock, the keyring file, its migrations) pin SQLite, and
// the files written for PostgreSQL alone run in the first pass only.
//
// Without a PostgreSQL on the machine this pass is skipped with the reason, except when CI=true.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The tests that start real server processes (through @coffer/server/testing's startServerProcess). */
const serverTests = [
  ["packages/server/dist/integration", /\.test\.js$/],
  ["packages/cli/dist", /\.integration\.test\.js$/],
  ["packages/cli/dist/commands", /\.integration\.test\.js$/],
  ["packages/agent/dist/integration", /^real-server\.test\.js$/],
  ["packages/client/dist/integration", /^live-coffer\.test\.js$/],
  ["packages/client/dist", /\.live\.test\.js$/],
];
/** The server's unit tests that open their stores with openTestStores. */
const storeTests = [
  "app/background-lease.test.js",
  "app/node-heartbeat.test.js",
  "app/role-sessions.test.js",
  "domain/access/access-review.test.js",
  "domain/identity/lockout-guard.test.js",
  "domain/rotation/labels.property.test.js",
  "domain/rotation/rotation-service.test.js",
  "domain/secrets/aws-exact.test.js",
  "domain/secrets/change-events.test.js",
  "domain/secrets/read-model.test.js",
  "domain/secrets/replication-conditions.test.js",
  "domain/secrets/replication.test.js",
  "domain/secrets/reseal.test.js",
  "domain/secrets/row-binding.test.js",
  "domain/secrets/secret-service.test.js",
].map((file) => join(repoRoot, "packages/server/dist", file));
const excluded = [
  // Written for several nodes on PostgreSQL: they set COFFER_STORE themselves (first pass).
  "multi-node.test.js",
  "next-read-across-nodes.test.js",
  "master-key-across-nodes.test.js",
  // The README as a newcomer runs it: the default store. `coffer admin recover` works on a SQLite
  // data folder (docs/multi-node.md, Limits); `coffer serve`'s own tests start it without a store.
  "readme.integration.test.js",
  "admin-recovery.integration.test.js",
  "serve.integration.test.js",
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

const serverFiles = serverTests.flatMap(([folder, pattern]) =>
  readdirSync(join(repoRoot, folder))
    .filter((name) => pattern.test(name) && !excluded.includes(name))
    .map((name) => join(repoRoot, folder, name)),
);
const missing = storeTests.filter((file) => !existsSync(file));
if (missing.length > 0) {
  console.error(`not built (run tsc -b), or moved without updating this list: ${missing.join(", ")}`);
  process.exit(1);
}
const files = [...serverFiles, ...storeTests];
console.log(
  `# again on PostgreSQL: the tests that drive real servers (${serverFiles.length} files) and the unit tests that open stores (${storeTests.length} files)`,
);
const run = spawnSync(process.execPath, [join(repoRoot, "scripts/test.mjs"), ...files], {
  stdio: "inherit",
  env: { ...process.env, COFFER_TEST_STORE: "postgres" },
});
process.exit(run.status ?? 1);
