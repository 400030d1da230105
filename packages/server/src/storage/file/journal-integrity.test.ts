import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { AuditLog } from "../../audit/audit-log.js";
import { sampleEvent } from "../sqlite/audit/fixtures.test-helper.js";
import { headPathOf } from "./audit-journal.js";
import { checkJournalAgainstHead } from "./journal-integrity.js";
import { AuditGapError, auditJournalFileName, JournaledAuditStore } from "./journaled-audit-store.js";

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "coffer-integrity-"));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const journalPath = () => join(home, auditJournalFileName);
const headPath = () => headPathOf(journalPath());
const lines = () => readFileSync(journalPath(), "utf8").split("\n").filter(Boolean);
const keep = (count: number) => writeFileSync(journalPath(), `${lines().slice(0, count).join("\n")}\n`);
const check = (hasHistory = false) => checkJournalAgainstHead(journalPath(), () => hasHistory);

async function writeEvents(count: number) {
  const log = new AuditLog(JournaledAuditStore.openForWriting(home));
  await Promise.all(Array.from({ length: count }, (_, i) => log.append(sampleEvent(i))));
  await log.close();
}

describe("start-up compares the audit journal with its recorded head", () => {
  test("a fresh folder, and a journal that matches its head, are consistent", async () => {
    assert.equal(check(), undefined);
    await writeEvents(5);
    assert.equal(check(true), undefined);
  });

  test("a head one batch behind the journal (a crash between the two writes) is consistent", async () => {
    await writeEvents(5);
    const line3 = JSON.parse(lines()[2] as string) as { seq: number; hash: string };
    writeFileSync(headPath(), `${JSON.stringify({ seq: line3.seq, hash: line3.hash })}\n`);
    assert.equal(check(true), undefined);
  });

  test("the head records where its line starts; start-up reads on from there, or scans when it does not hold", async () => {
    await writeEvents(5);
    const recorded = JSON.parse(readFileSync(headPath(), "utf8")) as { seq: number; offset: number };
    const text = readFileSync(journalPath(), "utf8");
    assert.equal(recorded.offset, Buffer.byteLength(text.split("\n").slice(0, 4).join("\n")) + 1);
    const line3 = JSON.parse(lines()[2] as string) as { seq: number; hash: string };
    const line3Offset = Buffer.byteLength(text.split("\n").slice(0, 2).join("\n")) + 1;
    const headAt = (offset: number) =>
      writeFileSync(headPath(), `${JSON.stringify({ seq: line3.seq, hash: line3.hash, offset })}\n`);
    for (const offset of [line3Offset, 0, 7, line3Offset + 1, 1e9]) {
      headAt(offset);
      assert.equal(check(true), undefined, `offset ${offset}`);
    }
    const edited = lines();
    edited[4] = (edited[4] as string).replace(/"prevHash":"[0-9a-f]+"/, `"prevHash":"${"0".repeat(64)}"`);
    writeFileSync(journalPath(), `${edited.join("\n")}\n`);
    for (const offset of [line3Offset, 7]) {
      headAt(offset);
      assert.equal(check(true)?.kind, "broken-extension", `offset ${offset}`);
    }
  });

  test("a journal cut short of its head is refused, naming both files and both seqs", async () => {
    await writeEvents(5);
    keep(3);
    const gap = check(true);
    assert.equal(gap?.kind, "truncated");
    assert.equal(gap?.recordedHead?.seq, 5);
    assert.equal(gap?.found?.seq, 3);
    assert.ok(gap?.message.includes(journalPath()) && gap.message.includes(headPath()), gap?.message);
    assert.match(gap?.message ?? "", /ends at seq 3.*--acknowledge-audit-gap/);
  });

  test("an emptied journal is refused", async () => {
    await writeEvents(3);
    writeFileSync(journalPath(), "");
    const gap = check(false);
    assert.equal(gap?.kind, "truncated");
    assert.match(gap?.message ?? "", /holds no events/);
  });

  test("a hash that differs at the head's seq is refused", async () => {
    await writeEvents(3);
    const head = JSON.parse(readFileSync(headPath(), "utf8")) as { seq: number; hash: string };
    writeFileSync(headPath(), JSON.stringify({ seq: head.seq, hash: "f".repeat(64) }));
    assert.equal(check(true)?.kind, "hash-mismatch");
    writeFileSync(headPath(), JSON.stringify({ seq: 2, hash: "f".repeat(64) }));
    assert.equal(check(true)?.kind, "hash-mismatch");
  });

  test("a deleted journal, or a deleted head, is refused; both deleted only where history remains", async () => {
    await writeEvents(3);
    const head = readFileSync(headPath());
    rmSync(journalPath());
    assert.equal(check(false)?.kind, "journal-missing");
    rmSync(headPath());
    assert.equal(check(false), undefined, "nothing left and no history: a first start");
    assert.equal(check(true)?.kind, "journal-missing");
    assert.throws(() => JournaledAuditStore.openForWriting(home), /audit index \(audit\.db\)/);
    rmSync(join(home, "audit.db"));
    await writeEvents(3);
    rmSync(headPath());
    assert.equal(check(false)?.kind, "head-missing");
    writeFileSync(headPath(), head.subarray(0, 5));
    assert.equal(check(false)?.kind, "head-missing");
  });

  test("lines after the head that do not continue its chain are refused", async () => {
    await writeEvents(5);
    const third = JSON.parse(lines()[2] as string) as { seq: number; hash: string };
    writeFileSync(headPath(), JSON.stringify({ seq: third.seq, hash: third.hash }));
    const edited = lines();
    edited[3] = (edited[3] as string).replace(/"prevHash":"[0-9a-f]+"/, `"prevHash":"${"0".repeat(64)}"`);
    writeFileSync(journalPath(), `${edited.join("\n")}\n`);
    assert.equal(check(true)?.kind, "broken-extension");
  });

  test("the writer refuses a gap, and opens past it only when told to, keeping the old index aside", async () => {
    await writeEvents(5);
    // The index (audit.db) is history: with journal and head gone, the trail was lost.
    const indexed = new AuditLog(JournaledAuditStore.openForWriting(home));
    await indexed.query({ limit: 10 });
    await indexed.close();
    keep(2);
    assert.throws(() => JournaledAuditStore.openForWriting(home), AuditGapError);
    assert.equal(lines().length, 2, "a refused start changes nothing");
    assert.equal(JSON.parse(readFileSync(headPath(), "utf8")).seq, 5);
    const store = JournaledAuditStore.openForWriting(home, { acknowledgeGap: true });
    try {
      assert.equal(store.acknowledgedGap?.kind, "truncated");
      assert.match(store.acknowledgedGap?.preservedIndex ?? "", /audit\.db\.before-gap-/);
      assert.deepEqual((await store.head()).seq, 2);
    } finally {
      await store.close();
    }
    assert.equal(check(true), undefined);
  });
});
