#!/usr/bin/env node
// A Coffer data folder holding N real secrets, for the size benchmarks (bench/scale.mjs).
//
// Seeding through the HTTP API would take an hour at 1,000,000; this goes through the server's own
// code instead: it opens the data folder the way the server does (openCoffer: keyring, account,
// admin key) and calls the domain's SecretWriter.create for each secret, so every row is real:
// encrypted under the data folder's master key, sealed, with tags and a description, written by
// the store's own commit (whatever tables and indexes the schema has today). No SQL here. The only
// seam is SqliteStore.inOneTransaction, which lets BATCH creates share one durable commit.
// No audit events are written (the writer is below the audit layer): the seeded folder has an
// empty audit trail, as if it had been restored.
//
// What it holds, for the ListSecrets filter benches:
//   - `bench/app-<i % 100>/secret-<i>`: description "Database credentials for service-<i % 1000>",
//     tags team=team-<i % 50> and env=prod|dev, a small JSON value;
//   - 10 needles spread evenly through the key space: name `needle/<k>`, tag key `needle`,
//     description "needle <k>: the rare match"; a filter on them matches 10 secrets at any size.
// `bench/db` (the secret the throughput benches read) is secret number 0.
//
// Usage: node bench/seed-store.mjs <count> <folder>      (seeds a fresh folder)
// From code: `await seededStore(count)` returns a cached folder (see cacheRoot) seeding it first
// when absent; the cache key hashes the code that decides what is stored, so a schema or format
// change seeds again.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { admin, root, secretName, secretValue } from "./support.mjs";

export const needleCount = 10;
/** Bump when what this file seeds changes (it is part of the cache key, with the server's code). */
const seedFormat = 1;
const batch = 10_000;
const region = "us-east-1";

/** Where seeded folders are kept between runs (outside the repository). */
export const cacheRoot = process.env.BENCH_CACHE_DIR || join(homedir(), ".cache", "coffer-bench");

/** The name of secret number i (0 is the bench secret every throughput bench reads). */
export function nameOf(i) {
  return i === 0 ? secretName : `bench/app-${i % 100}/secret-${String(i).padStart(7, "0")}`;
}

/** The name secret number i has in a store of `count` (needles included). */
export function secretNameAt(i, count) {
  const k = needleIndexes(count).indexOf(i);
  return k >= 0 ? `needle/${k}` : nameOf(i);
}

/** Which secret numbers are needles, spread evenly over [1, count). */
export function needleIndexes(count) {
  return Array.from(
    { length: needleCount },
    (_, k) => 1 + Math.floor(((k + 0.5) * (count - 1)) / needleCount),
  );
}

function inputOf(i, needle) {
  if (i === 0) {
    return {
      name: secretName,
      description: "Database credentials for the benchmark",
      tags: [{ Key: "team", Value: "team-0" }],
      value: secretValue,
    };
  }
  const value = JSON.stringify({
    username: `app${i % 1000}`,
    password: createHash("sha256").update(`p${i}`).digest("base64url").slice(0, 32),
    host: `db-${i % 100}.internal`,
    port: 5432,
  });
  if (needle !== undefined) {
    return {
      name: `needle/${needle}`,
      description: `needle ${needle}: the rare match`,
      tags: [{ Key: "needle", Value: String(needle) }],
      value,
    };
  }
  return {
    name: nameOf(i),
    description: `Database credentials for service-${i % 1000}`,
    tags: [
      { Key: "team", Value: `team-${i % 50}` },
      { Key: "env", Value: i % 3 === 0 ? "dev" : "prod" },
    ],
    value,
  };
}

/** The environment a Coffer server needs to open a seeded folder (the bench admin key). */
export function seededEnv(home) {
  return {
    COFFER_HOME: home,
    COFFER_ADMIN_ACCESS_KEY_ID: admin.accessKeyId,
    COFFER_ADMIN_SECRET_ACCESS_KEY: admin.secretAccessKey,
  };
}

/** Seeds `home` (a fresh folder) with `count` secrets through the server's domain code. */
export async function seed(count, home, log = () => {}) {
  const dist = join(root, "packages/server/dist");
  const { loadConfig } = await import(join(dist, "config/config.js"));
  const { openCoffer } = await import(join(dist, "app/open-coffer.js"));
  const coffer = await openCoffer(loadConfig(seededEnv(home)));
  const needles = new Map(needleIndexes(count).map((i, k) => [i, k]));
  const scope = { region };
  const started = performance.now();
  try {
    for (let start = 0; start < count; start += batch) {
      const end = Math.min(count, start + batch);
      // The embedded engine's SqliteStore (the bench seeds SQLite only), behind the domain's port.
      await coffer.stores.secrets.inOneTransaction(async () => {
        for (let i = start; i < end; i++) {
          const { value, ...rest } = inputOf(i, needles.get(i));
          await coffer.writer.create(scope, {
            ...rest,
            value: { kind: "string", bytes: Buffer.from(value) },
          });
        }
      });
      if (end % 100_000 === 0 || end === count) {
        const s = (performance.now() - started) / 1000;
        log(`  seeded ${end.toLocaleString("en-US")} secrets in ${s.toFixed(0)} s`);
      }
    }
  } finally {
    await coffer.close();
  }
  return (performance.now() - started) / 1000;
}

/**
 * The hash of what decides the stored bytes: the SQLite store, crypto and the secrets domain, how
 * the store is opened, and seedFormat (not the rest of app/: a change to request handling keeps
 * the cached store).
 */
function codeHash() {
  const dist = join(root, "packages/server/dist");
  const hash = createHash("sha256").update(`seed format ${seedFormat}\n`);
  const files = [];
  for (const folder of ["storage/sqlite", "crypto", "domain/secrets"]) {
    for (const file of readdirSync(join(dist, folder)).sort()) {
      if (file.endsWith(".js") && !file.endsWith(".test.js")) files.push(join(dist, folder, file));
    }
  }
  files.push(join(dist, "app/open-coffer.js"));
  for (const file of files) hash.update(file.slice(root.length)).update(readFileSync(file));
  return hash.digest("hex").slice(0, 16);
}

/**
 * A folder holding `count` seeded secrets, from the cache when it has one for this code; seeds it
 * (in a child process) otherwise. Older cached folders for the same count are removed. Treat the
 * folder as read-only: copy it before starting a server on it.
 */
export function seededStore(count, log = console.log) {
  mkdirSync(cacheRoot, { recursive: true });
  const prefix = `secrets-${count}-`;
  const folder = join(cacheRoot, `${prefix}${codeHash()}`);
  if (existsSync(join(folder, "complete"))) return { folder, seededSeconds: undefined };
  for (const entry of readdirSync(cacheRoot)) {
    if (entry.startsWith(prefix)) rmSync(join(cacheRoot, entry), { recursive: true, force: true });
  }
  const partial = `${folder}.partial-${process.pid}`;
  log(`seeding ${count.toLocaleString("en-US")} secrets into ${folder} (once per code version)`);
  const result = spawnSync(process.execPath, [fileURLToPath(import.meta.url), String(count), partial], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (result.status !== 0) {
    rmSync(partial, { recursive: true, force: true });
    throw new Error(`seeding failed (exit ${result.status})`);
  }
  renameSync(partial, folder);
  const seededSeconds = Number(readFileSync(join(folder, "complete"), "utf8"));
  return { folder, seededSeconds };
}

/** Bytes of the store's files (the database and its WAL) in a data folder. */
export function storeBytes(home) {
  let total = 0;
  for (const entry of readdirSync(home)) {
    if (entry.startsWith("coffer.db")) total += statSync(join(home, entry)).size;
  }
  return total;
}

/**
 * Where the store's bytes go: each table and index of coffer.db in `home` with its bytes on disk
 * (SQLite's dbstat: pages, so including free space in them), largest first. Read-only; run it
 * before a server holds the file.
 */
export function storeBreakdown(home) {
  const require = createRequire(join(root, "packages/server/package.json"));
  const Database = require("better-sqlite3");
  const db = new Database(join(home, "coffer.db"), { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare(
        "SELECT name, sum(pgsize) AS bytes, sum(payload) AS payload FROM dbstat GROUP BY name ORDER BY bytes DESC",
      )
      .all();
  } finally {
    db.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const count = Number(process.argv[2]);
  const home = process.argv[3];
  if (!Number.isInteger(count) || count < needleCount + 1 || !home) {
    console.error("usage: node bench/seed-store.mjs <count ≥ 11> <fresh folder>");
    process.exit(2);
  }
  const { writeFileSync } = await import("node:fs");
  const seconds = await seed(count, home, console.log);
  writeFileSync(join(home, "complete"), String(seconds));
}
