// The audit hot path, before and after the compiled audit line, side by side in one run.
//
// build: turning one GetSecretValue call into the bytes the journal stores.
//   before: the reference builder (walks the service model, builds an event object), then
//           canonicalJson (sorts every object) and the index fields (what prepareAuditRecord used
//           to compute on every append and the journal threw away);
//   after:  the compiled line (audit/audit-line.ts): the canonical JSON written directly.
// append: the same, through AuditLog into the real journal (JournaledAuditStore), `perTurn`
//   appends per event-loop turn (like as many concurrent requests), durable commits
//   (fsyncIntervalMs 0: every batch fdatasynced before it is acknowledged) and the default (100).
//
// Usage: node bench/audit-append.mjs   (BENCH_CALLS, BENCH_ROUNDS as in bench/support.mjs)
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { createAuditLineBuilder } from "../packages/server/dist/audit/audit-line.js";
import { AuditLog } from "../packages/server/dist/audit/audit-log.js";
import { auditIndexFields } from "../packages/server/dist/audit/audit-record.js";
import { createAuditEventBuilder } from "../packages/server/dist/audit/build-event.js";
import { canonicalJson } from "../packages/server/dist/audit/canonical-json.js";
import { loadServiceModel } from "../packages/server/dist/protocol/model.js";
import { JournaledAuditStore } from "../packages/server/dist/storage/file/journaled-audit-store.js";
import { callCount, median, ratio, rounds } from "./support.mjs";

const buildCalls = callCount(200_000, 20_000);
const appendCalls = callCount(100_000, 10_000);
const perTurn = 32;
const model = loadServiceModel();
const referenceBuilder = createAuditEventBuilder(model);
const lineBuilder = createAuditLineBuilder(model);

const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:bench/db-AbC123";
const answer = {
  ARN: arn,
  Name: "bench/db",
  VersionId: "3f1d6c1e-8a3b-4c1d-9e2f-0a1b2c3d4e5f",
  SecretString: '{"username":"app","password":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}',
  VersionStages: ["AWSCURRENT"],
  CreatedDate: 1767225600,
};
/** One GetSecretValue call as the request handler records it (a fresh request id and time each). */
function input(i) {
  return {
    operation: "GetSecretValue",
    region: "us-east-1",
    accountId: "123456789012",
    caller: { accessKeyId: "AKIABENCHADMIN000001", principal: "arn:aws:iam::123456789012:user/bench" },
    sourceIp: "::ffff:127.0.0.1",
    userAgent: "aws-sdk-js/3.723.0 ua/2.1 os/linux#6.8 lang/js md/nodejs#20.18.1 api/secrets-manager#3.723.0",
    request: { SecretId: "bench/db" },
    result: { response: answer },
    requestId: `5f0c7b9e-2d4a-4e8b-9c1f-${String(i).padStart(12, "0")}`,
    time: 1767225600000 + i,
  };
}

const before = (i) => {
  const event = referenceBuilder(input(i));
  const json = canonicalJson(event);
  auditIndexFields(event);
  return json;
};
const after = (i) => lineBuilder(input(i));

function timeBuild(build, n) {
  let bytes = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) bytes += build(i).length;
  const ns = Number(process.hrtime.bigint() - started) / n;
  if (bytes === 0) throw new Error("nothing built");
  return ns;
}

/** Events per second through AuditLog into a fresh journal; `perTurn` appends per turn. */
async function timeAppend(side, n, fsyncIntervalMs) {
  const home = mkdtempSync(join(tmpdir(), "coffer-bench-audit-"));
  try {
    const log = new AuditLog(JournaledAuditStore.openForWriting(home, { fsyncIntervalMs }));
    const append =
      side === "before"
        ? (i) => {
            const event = referenceBuilder(input(i));
            auditIndexFields(event);
            return log.append(event);
          }
        : (i) => log.appendLine(lineBuilder(input(i)));
    const started = process.hrtime.bigint();
    for (let done = 0; done < n; done += perTurn) {
      const turn = [];
      for (let i = done; i < Math.min(n, done + perTurn); i++) turn.push(append(i));
      await Promise.all(turn);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await log.close();
    return { perSecond: n / seconds, journalBytes: statSync(join(home, "audit.log")).size / n };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

// The two must write the very same bytes (the property test proves it for random calls).
const probe = { ...input(7), eventId: "e" };
if (canonicalJson(referenceBuilder(probe)) !== lineBuilder(probe))
  throw new Error("the compiled line differs from the reference");

for (let i = 0; i < 3; i++) {
  timeBuild(before, 20_000);
  timeBuild(after, 20_000);
}
await timeAppend("before", 5_000, 0);
await timeAppend("after", 5_000, 0);

console.log(
  `audit append, GetSecretValue: build ${buildCalls} events, append ${appendCalls} (${perTurn} per turn), ${rounds} rounds`,
);
const buildBefore = [];
const buildAfter = [];
const durableBefore = [];
const durableAfter = [];
const defaultBefore = [];
const defaultAfter = [];
let journalBytes = 0;
for (let round = 0; round < rounds; round++) {
  const flip = round % 2 === 1;
  for (const side of flip ? ["after", "before"] : ["before", "after"]) {
    (side === "before" ? buildBefore : buildAfter).push(
      timeBuild(side === "before" ? before : after, buildCalls),
    );
  }
  for (const side of flip ? ["after", "before"] : ["before", "after"]) {
    const durable = await timeAppend(side, appendCalls, 0);
    const relaxed = await timeAppend(side, appendCalls, 100);
    (side === "before" ? durableBefore : durableAfter).push(durable.perSecond);
    (side === "before" ? defaultBefore : defaultAfter).push(relaxed.perSecond);
    journalBytes = durable.journalBytes;
  }
  console.log(
    `  round ${round + 1}: build ${buildBefore.at(-1).toFixed(0)} -> ${buildAfter.at(-1).toFixed(0)} ns/event;` +
      ` durable ${durableBefore.at(-1).toFixed(0)} -> ${durableAfter.at(-1).toFixed(0)} events/s;` +
      ` fsync 100 ms ${defaultBefore.at(-1).toFixed(0)} -> ${defaultAfter.at(-1).toFixed(0)} events/s`,
  );
}
const m = {
  buildBefore: median(buildBefore),
  buildAfter: median(buildAfter),
  durableBefore: median(durableBefore),
  durableAfter: median(durableAfter),
  defaultBefore: median(defaultBefore),
  defaultAfter: median(defaultAfter),
};
console.log(`medians of ${rounds} rounds:`);
console.log(
  `  build one event:             before ${m.buildBefore.toFixed(0)} ns, after ${m.buildAfter.toFixed(0)} ns (after/before ${ratio(m.buildAfter / m.buildBefore)})`,
);
console.log(
  `  append, durable commits:     before ${m.durableBefore.toFixed(0)}/s, after ${m.durableAfter.toFixed(0)}/s (after/before ${ratio(m.durableAfter / m.durableBefore)})`,
);
console.log(
  `  append, fsync every 100 ms:  before ${m.defaultBefore.toFixed(0)}/s, after ${m.defaultAfter.toFixed(0)}/s (after/before ${ratio(m.defaultAfter / m.defaultBefore)})`,
);
console.log(`  journal bytes per event: ${journalBytes.toFixed(0)}`);

/** Bytes on disk per event: the journal, and each table and index of the query index (dbstat). */
async function diskAccount(n) {
  const home = mkdtempSync(join(tmpdir(), "coffer-bench-audit-"));
  try {
    const log = new AuditLog(JournaledAuditStore.openForWriting(home));
    for (let done = 0; done < n; done += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, k) => log.appendLine(lineBuilder(input(done + k)))));
    }
    await log.query({ limit: 1 }); // brings the index up to date from the journal
    await log.close();
    const db = new Database(join(home, "audit.db"));
    db.pragma("wal_checkpoint(TRUNCATE)");
    const objects = db
      .prepare(
        "SELECT name, SUM(pgsize) AS bytes, SUM(payload) AS payload FROM dbstat GROUP BY name ORDER BY bytes DESC",
      )
      .all();
    db.close();
    return {
      journal: statSync(join(home, "audit.log")).size / n,
      index: statSync(join(home, "audit.db")).size / n,
      objects: objects.map((o) => ({ name: o.name, bytes: o.bytes / n, payload: o.payload / n })),
    };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
const disk = await diskAccount(20_000);
console.log(
  `bytes on disk per GetSecretValue event (20,000 events): journal ${disk.journal.toFixed(0)}, index ${disk.index.toFixed(0)}`,
);
for (const o of disk.objects.filter((o) => o.bytes >= 1)) {
  console.log(`  audit.db ${o.name}: ${o.bytes.toFixed(1)} bytes (payload ${o.payload.toFixed(1)})`);
}

const row = (name, value, unit, target = null, met = null) => ({ name, value, unit, target, met });
console.log(
  `BENCH_RESULT ${JSON.stringify({
    bench: "audit-append",
    title: "Audit hot path: compiled audit line vs model walk + canonical sort (GetSecretValue)",
    rows: [
      row("build, before (walk + canonicalJson + index fields)", Math.round(m.buildBefore), "ns/event"),
      row("build, after (compiled line)", Math.round(m.buildAfter), "ns/event"),
      row(
        "build after/before",
        Number((m.buildAfter / m.buildBefore).toFixed(3)),
        "ratio",
        "< 1",
        m.buildAfter < m.buildBefore,
      ),
      row("append durable (fdatasync per batch), before", Math.round(m.durableBefore), "events/s"),
      row("append durable (fdatasync per batch), after", Math.round(m.durableAfter), "events/s"),
      row(
        "append durable after/before",
        Number((m.durableAfter / m.durableBefore).toFixed(3)),
        "ratio",
        ">= 1",
        m.durableAfter >= m.durableBefore,
      ),
      row("append fsync 100 ms, before", Math.round(m.defaultBefore), "events/s"),
      row("append fsync 100 ms, after", Math.round(m.defaultAfter), "events/s"),
      row(
        "append fsync 100 ms after/before",
        Number((m.defaultAfter / m.defaultBefore).toFixed(3)),
        "ratio",
        ">= 1",
        m.defaultAfter >= m.defaultBefore,
      ),
      row("journal bytes per event", Math.round(disk.journal), "bytes"),
      row("index (audit.db) bytes per event", Math.round(disk.index), "bytes"),
    ],
    notes: [
      `${perTurn} appends per event-loop turn; ${rounds} rounds, medians; sides alternate order each round.`,
      "'before' is the previous hot path rebuilt in-process from the kept reference builder: event object, canonicalJson, index fields.",
    ],
  })}`,
);
