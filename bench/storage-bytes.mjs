#!/usr/bin/env node
// Bytes on disk per one-version secret, by table and index (SQLite's dbstat), after seeding
// BENCH_SECRETS (default 10,000) secrets through the domain code. Build first (`npx tsc -b`).
//   node bench/storage-bytes.mjs
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seededDomain } from "./secret-seed.mjs";
import { envNumber } from "./support.mjs";

const n = Math.round(envNumber("BENCH_SECRETS", 10_000));
const dir = mkdtempSync(join(tmpdir(), "coffer-bytes-"));
try {
  const path = join(dir, "coffer.db");
  const { store, db } = await seededDomain(path, n);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const objects = db
    .prepare(
      `SELECT name, sum(pgsize) AS bytes, sum(payload) AS payload, sum(unused) AS unused
       FROM dbstat GROUP BY name ORDER BY bytes DESC`,
    )
    .all();
  await store.close();
  const file = statSync(path).size;
  console.log(
    `${n} one-version secrets: ${file} bytes in the file, ${(file / n).toFixed(0)} bytes per secret`,
  );
  console.log(
    "object".padEnd(34),
    "bytes/secret".padStart(13),
    "payload/secret".padStart(15),
    "unused/secret".padStart(14),
  );
  for (const o of objects) {
    console.log(
      o.name.padEnd(34),
      (o.bytes / n).toFixed(1).padStart(13),
      (o.payload / n).toFixed(1).padStart(15),
      (o.unused / n).toFixed(1).padStart(14),
    );
  }
  const result = {
    bench: "storage-bytes",
    title: `Bytes on disk per one-version secret (${n} secrets)`,
    rows: [{ name: "bytes per secret", value: Math.round(file / n), unit: "B", target: null, met: null }],
    notes: objects.map((o) => `${o.name}: ${(o.bytes / n).toFixed(1)} B/secret`),
  };
  console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
