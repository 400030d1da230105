// The cost of ONE audit chain in PostgreSQL shared by several nodes (docs/adr/0010): every append
// locks the chain head row, so the nodes' transactions pass one at a time through that lock.
//
// For each batch size (events per transaction: 1 = a quiet server, 32 = a busy one, whose AuditLog
// group-commits a turn's events), appends go through PostgresAuditStore.appendBatch, durable
// (synchronous_commit on, fsync on), for BENCH_SECONDS:
//   1 writer:  one store ("node") appending batch after batch, as AuditLog does;
//   3 writers: three stores with separate pools, concurrently, on the same database.
// Prints events/s and transactions/s of each, and the ratio 3 writers / 1 writer (1.0 = the lock
// adds nothing; < 1 = contention costs throughput; > 1 = the lock is not the limit yet).
//
// Needs the machine's PostgreSQL (as the tests: pg_ctlcluster 15 main start); creates and drops
// its own superuser and database. Usage: node bench/audit-postgres.mjs  (BENCH_SECONDS, BENCH_ROUNDS)
import { prepareAuditRecord } from "../packages/server/dist/audit/audit-record.js";
import { buildAuditEvent } from "../packages/server/dist/audit/build-event.js";
import { PostgresAuditStore } from "../packages/server/dist/storage/postgres/audit/postgres-audit-store.js";
import { postgresKit } from "../packages/server/dist/testing/postgres.js";
import { median, ratio, rounds, seconds } from "./support.mjs";

const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:bench/db-AbC123";
let counter = 0;
function record() {
  const n = counter++;
  return prepareAuditRecord(
    buildAuditEvent({
      operation: "GetSecretValue",
      region: "us-east-1",
      accountId: "123456789012",
      caller: { accessKeyId: "AKIABENCHADMIN000001", principal: "arn:aws:iam::123456789012:user/bench" },
      sourceIp: "10.0.0.7",
      userAgent: "aws-sdk-js/3.723.0 ua/2.1 os/linux lang/js md/nodejs#20.18.1 api/secrets-manager#3.723.0",
      request: { SecretId: "bench/db" },
      result: { response: { ARN: arn, Name: "bench/db", VersionId: "v1", VersionStages: ["AWSCURRENT"] } },
      requestId: `req-${n}`,
      time: Date.now(),
    }),
  );
}

async function run(stores, batchSize, ms) {
  const deadline = performance.now() + ms;
  const counts = await Promise.all(
    stores.map(async (store) => {
      let events = 0;
      let transactions = 0;
      while (performance.now() < deadline) {
        const batch = Array.from({ length: batchSize }, record);
        await store.appendBatch(batch);
        events += batch.length;
        transactions++;
      }
      return { events, transactions };
    }),
  );
  const total = (key) => counts.reduce((sum, count) => sum + count[key], 0);
  return {
    eventsPerSecond: (total("events") * 1000) / ms,
    transactionsPerSecond: (total("transactions") * 1000) / ms,
  };
}

const kit = await postgresKit();
const database = kit.name("coffer_audit_bench");
await kit.sql(`CREATE DATABASE ${database} ENCODING 'UTF8' TEMPLATE template0`);
const url = `postgres://${kit.admin.user}:${kit.admin.password}@${kit.admin.host}:${kit.admin.port}/${database}`;
const stores = await Promise.all([1, 2, 3].map(() => PostgresAuditStore.open({ url, timeoutMs: 30_000 })));
try {
  const ms = seconds * 1000;
  console.log(`audit appends into PostgreSQL, ${seconds} s per run, median of ${rounds} rounds`);
  for (const batchSize of [1, 32]) {
    const one = [];
    const three = [];
    for (let round = 0; round < rounds; round++) {
      one.push(await run(stores.slice(0, 1), batchSize, ms));
      three.push(await run(stores, batchSize, ms));
    }
    const m = (list, key) => median(list.map((r) => r[key]));
    const [e1, e3, t1, t3] = [
      m(one, "eventsPerSecond"),
      m(three, "eventsPerSecond"),
      m(one, "transactionsPerSecond"),
      m(three, "transactionsPerSecond"),
    ];
    console.log(
      `batch ${String(batchSize).padStart(2)}: 1 writer ${e1.toFixed(0)} events/s (${t1.toFixed(0)} tx/s); 3 writers ${e3.toFixed(0)} events/s (${t3.toFixed(0)} tx/s); ratio 3/1 ${ratio(e3 / e1)}`,
    );
  }
  const verified = await stores[0].verify();
  console.log(
    `chain after the runs: ${verified.ok ? `verifies, ${verified.count} events` : `BROKEN: ${verified.message}`}`,
  );
} finally {
  await Promise.all(stores.map((store) => store.close()));
  await kit.sql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await kit.close();
}
