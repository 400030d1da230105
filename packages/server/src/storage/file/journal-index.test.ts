import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import Database from "better-sqlite3";
import { AuditLog } from "../../audit/audit-log.js";
import { canonicalJson } from "../../audit/canonical-json.js";
import { chainHash, GENESIS_HASH } from "../../audit/chain-hash.js";
import { migrateAudit } from "../sqlite/audit/audit-migrations.js";
import { sampleEvent } from "../sqlite/audit/fixtures.test-helper.js";
import { AuditIndexMismatchError } from "../sqlite/audit/sqlite-audit-store.js";
import { JournalReader } from "./journal-reader.js";
import { auditJournalFileName, JournaledAuditStore } from "./journaled-audit-store.js";

// The query index (audit.db) of the journal keeps where each event's line starts in audit.log,
// not a second copy of the event (docs/adr/0009).

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "coffer-journal-index-"));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const journalPath = () => join(home, auditJournalFileName);
const lines = () => readFileSync(journalPath(), "utf8").split("\n").filter(Boolean);

async function writeAndIndex(count: number, event = sampleEvent) {
  const log = new AuditLog(JournaledAuditStore.openForWriting(home));
  await Promise.all(Array.from({ length: count }, (_, i) => log.append(event(i))));
  await log.query({ limit: 1 }); // brings the index up to date
  await log.close();
}

async function queryAsReader(limit = 1000) {
  const log = new AuditLog(JournaledAuditStore.openForReading(home));
  try {
    return (await log.query({ limit })).events;
  } finally {
    await log.close();
  }
}

function indexRows() {
  const db = new Database(join(home, "audit.db"), { readonly: true });
  try {
    return db
      .prepare<[], { seq: number; event: string | null; journal_offset: number | null }>(
        "SELECT seq, event, journal_offset FROM audit_events ORDER BY seq",
      )
      .all();
  } finally {
    db.close();
  }
}

describe("the journal's query index", () => {
  test("keeps where each line starts instead of a copy, and answers queries with the journal's events", async () => {
    await writeAndIndex(30);
    const rows = indexRows();
    assert.equal(rows.length, 30);
    const starts = [0];
    for (const line of lines()) starts.push((starts.at(-1) as number) + Buffer.byteLength(line) + 1);
    for (const row of rows) {
      assert.equal(row.event, null, `event ${row.seq} was copied into the index`);
      assert.equal(row.journal_offset, starts[row.seq - 1]);
    }
    const fromJournal = new JournalReader(journalPath()).readFrom(1, 1000);
    assert.deepEqual(await queryAsReader(), fromJournal);
  });

  test("reads back an event longer than its read buffer, whole", async () => {
    // Two doublings of the 4 KiB buffer (strings in an event are capped, so several long ones).
    const long = (n: number) =>
      sampleEvent(n, {
        request: {
          SecretId: `s${n}`.repeat(1500),
          VersionId: "v".repeat(3000),
          VersionStage: "x".repeat(3000),
        },
        result: { response: { Name: "n".repeat(3000) } },
      });
    await writeAndIndex(3, long);
    assert.ok(lines().every((line) => line.length > 8192));
    const events = await queryAsReader();
    assert.deepEqual(
      events.map((e) => e.event),
      [0, 1, 2].map((n) => JSON.parse(canonicalJson(long(n)))),
    );
  });

  test("a journal cut or replaced after indexing is reported, never answered from stale pointers", async () => {
    await writeAndIndex(10);
    const original = lines();
    writeFileSync(journalPath(), `${original.slice(0, 6).join("\n")}\n`);
    await assert.rejects(queryAsReader(), (error: Error) => {
      assert.ok(error instanceof AuditIndexMismatchError);
      assert.match(error.message, /audit\.log no longer holds event 7, which audit\.db indexes/);
      return true;
    });
    // Same length, other events: the hashes differ, so no pointer resolves to the wrong event.
    writeFileSync(
      journalPath(),
      `${original.map((line) => line.replace(/"hash":"[0-9a-f]/, '"hash":"z')).join("\n")}\n`,
    );
    await assert.rejects(queryAsReader(), /no longer holds event 1,/);
    writeFileSync(journalPath(), `${original.join("\n")}\n`);
    assert.equal((await queryAsReader()).length, 10);
  });

  test("after an acknowledged gap, a fresh index answers from the journal as it now is", async () => {
    await writeAndIndex(8);
    writeFileSync(journalPath(), `${lines().slice(0, 3).join("\n")}\n`);
    const store = JournaledAuditStore.openForWriting(home, { acknowledgeGap: true });
    const log = new AuditLog(store);
    try {
      await Promise.all([100, 101].map((n) => log.append(sampleEvent(n))));
      const events = (await log.query({ limit: 100 })).events;
      assert.deepEqual(
        events.map((e) => [e.seq, e.event.requestID]),
        [
          [1, "req-0"],
          [2, "req-1"],
          [3, "req-2"],
          [4, "req-100"],
          [5, "req-101"],
        ],
      );
    } finally {
      await log.close();
    }
  });

  test("an index written before keeps its copied events readable after the upgrade, beside new pointers", async () => {
    // An earlier Coffer's data folder: three events in the journal, and a version-2 index holding
    // copies of them.
    const writer = new AuditLog(JournaledAuditStore.openForWriting(home));
    for (let i = 0; i < 3; i++) await writer.append(sampleEvent(i));
    await writer.close();
    for (const suffix of ["", "-wal", "-shm"]) rmSync(join(home, `audit.db${suffix}`), { force: true });
    const db = new Database(join(home, "audit.db"));
    migrateAudit(db, 2);
    const insert = db.prepare(
      `INSERT INTO audit_events (seq, prev_hash, hash, event, event_time, event_name, principal_arn, access_key_id, outcome)
       VALUES (?, ?, ?, ?, ?, 'GetSecretValue', 'arn:aws:iam::123456789012:user/user-0', 'AKIAUSER0000000000', 'success')`,
    );
    let hash = GENESIS_HASH;
    for (const line of new JournalReader(journalPath()).lines()) {
      assert.equal(chainHash(hash, line.json), line.hash);
      insert.run(
        line.seq,
        line.prevHash,
        line.hash,
        line.json,
        Date.parse(sampleEvent(line.seq - 1).eventTime),
      );
      hash = line.hash;
    }
    db.prepare("UPDATE chain_head SET seq = 3, hash = ?").run(hash);
    db.close();
    // Two more events, which the upgraded index points at.
    const log = new AuditLog(JournaledAuditStore.openForWriting(home));
    try {
      for (let i = 3; i < 5; i++) await log.append(sampleEvent(i));
      const events = (await log.query({ limit: 100 })).events;
      assert.deepEqual(
        events.map((e) => e.event.requestID),
        ["req-0", "req-1", "req-2", "req-3", "req-4"],
      );
    } finally {
      await log.close();
    }
    assert.deepEqual(
      indexRows().map((row) => [row.seq, row.event === null, row.journal_offset === null]),
      [
        [1, false, true],
        [2, false, true],
        [3, false, true],
        [4, true, false],
        [5, true, false],
      ],
    );
  });
});
