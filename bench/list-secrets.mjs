#!/usr/bin/env node
// ListSecrets through the domain reader (no HTTP) with 1,000 and BENCH_SECRETS (default 100,000)
// secrets in one SQLite store each: the time of one page per filter kind and sort order, and the
// large/1k ratio (target <= 1.3). Each selective filter finds the same 20 secrets at every size;
// "broad" finds a third of them. The first secret is created through the domain code in
// packages/server/dist; the others are committed to the store directly with the same record shape
// and that secret's sealed value (ListSecrets never opens values), which skips the domain's
// encryption and sealing (1M took 439 s on the loaded shared machine). Build first (`npx tsc -b`).
//   node bench/list-secrets.mjs        (BENCH_SECRETS=1000000: ~2 GB of memory)
import { randomUUID } from "node:crypto";
import { scope, secretInput, seededDomain } from "./secret-seed.mjs";
import { envNumber, rounds } from "./support.mjs";

const big = Math.round(envNumber("BENCH_SECRETS", 100_000));
const small = 1_000;
const cases = [
  { name: "no filter", input: {} },
  { name: "name", input: { filters: [{ Key: "name", Values: ["needle/"] }] } },
  { name: "tag-key", input: { filters: [{ Key: "tag-key", Values: ["needle-k"] }] } },
  { name: "tag-value", input: { filters: [{ Key: "tag-value", Values: ["needle-v"] }] } },
  { name: "description", input: { filters: [{ Key: "description", Values: ["NEEDLE cred"] }] } },
  { name: "all", input: { filters: [{ Key: "all", Values: ["needle"] }] } },
  {
    name: "name, sorted by name asc",
    input: { filters: [{ Key: "name", Values: ["needle/"] }], sortBy: "name", sortOrder: "asc" },
  },
  {
    name: "tag-key, by last-changed asc",
    input: {
      filters: [{ Key: "tag-key", Values: ["needle"] }],
      sortBy: "last-changed-date",
      sortOrder: "asc",
    },
  },
  {
    name: "all, by last-accessed, with deleted",
    input: {
      filters: [{ Key: "all", Values: ["needle"] }],
      sortBy: "last-accessed-date",
      includePlannedDeletion: true,
    },
  },
  { name: "broad: tag-value prod (1/3)", input: { filters: [{ Key: "tag-value", Values: ["prod"] }] } },
  { name: "broad: negated name", input: { filters: [{ Key: "name", Values: ["!needle/"] }] } },
];

/** Median time of one page (ms), over enough calls to last ~`ms` (at least 5 calls). */
async function pageTime(reader, input, ms) {
  const times = [];
  const deadline = performance.now() + ms;
  while (times.length < 5 || (performance.now() < deadline && times.length < 1000)) {
    const start = performance.now();
    const page = await reader.list(scope, { maxResults: 100, ...input });
    times.push(performance.now() - start);
    if (page.secrets.length === 0) throw new Error(`no secrets for ${JSON.stringify(input)}`);
  }
  times.sort((x, y) => x - y);
  return times[Math.floor(times.length / 2)];
}

const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

/**
 * Both sizes side by side: `3 * rounds` short rounds alternating small and large, so that load from
 * other processes on the shared machine hits both alike; the medians of the per-round times.
 */
async function sideBySide(smallReader, largeReader, input) {
  const a = [];
  const b = [];
  for (let round = 0; round < 3 * rounds; round++) {
    a.push(await pageTime(smallReader, input, 100));
    b.push(await pageTime(largeReader, input, 100));
  }
  return [median(a), median(b)];
}

/** An in-memory store with n secrets shaped as `secretInput` makes them (see the header). */
async function seeded(n) {
  const domain = await seededDomain(":memory:", 0);
  const { store, reader, writer, db } = domain;
  const created = await writer.create(scope, secretInput(0, n));
  const first = await store.findByArn(created.arn);
  const version = await store.readVersion(created.arn, { versionId: created.versionId });
  if (!first || !version) throw new Error("the first secret was not stored");
  const start = first.secret.createdAt;
  for (let i = 1; i < n; i++) {
    if (i % 10_000 === 1) db.exec("BEGIN");
    const input = secretInput(i, n);
    const at = start + i;
    await store.commit({
      kind: "create",
      expectedRevision: 0,
      secret: {
        ...first.secret,
        arn: `arn:aws:secretsmanager:${scope.region}:123456789012:secret:${input.name}-${String(i).padStart(6, "0")}`,
        name: input.name,
        description: input.description,
        tags: input.tags,
        createdAt: at,
        lastChangedAt: at,
      },
      addVersions: [{ ...version, versionId: randomUUID(), createdAt: at }],
      restage: [],
      removeVersions: [],
    });
    if (i % 10_000 === 0 || i === n - 1) db.exec("COMMIT");
  }
  return { store, reader };
}

const started = performance.now();
const small1 = await seeded(small);
const seedStart = performance.now();
const large = await seeded(big);
const seedSeconds = (performance.now() - seedStart) / 1000;
console.log(`seeded ${small} and ${big} secrets (${seedSeconds.toFixed(0)} s for ${big})`);
const rows = [];
console.log("case".padEnd(40), `${small} (ms)`.padStart(12), `${big} (ms)`.padStart(14), "ratio".padStart(7));
for (const c of cases) {
  const [a, b] = await sideBySide(small1.reader, large.reader, c.input);
  const ratio = b / a;
  console.log(
    c.name.padEnd(40),
    a.toFixed(3).padStart(12),
    b.toFixed(3).padStart(14),
    ratio.toFixed(2).padStart(7),
  );
  rows.push({
    name: `ListSecrets ${c.name}: ${big}/${small} page time`,
    value: Number(ratio.toFixed(2)),
    unit: "x",
    target: "<= 1.3",
    met: ratio <= 1.3,
  });
  rows.push({
    name: `ListSecrets ${c.name}: page at ${big}`,
    value: Number(b.toFixed(3)),
    unit: "ms",
    target: null,
    met: null,
  });
}
console.log(`${((performance.now() - started) / 1000).toFixed(0)} s in all`);
const result = {
  bench: "list-secrets",
  title: `ListSecrets page time, ${big} vs ${small} secrets (domain reader over SQLite, no HTTP)`,
  rows,
  notes: [
    "Selective filters each find the same 20 secrets at both sizes; broad ones a share of all secrets.",
    `Seeding ${big} secrets took ${seedSeconds.toFixed(0)} s (the first through the domain, the rest committed to the store directly with its sealed value).`,
    "Stores are in memory (:memory:), so page times are CPU and B-tree work, not disk reads.",
  ],
};
console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
