import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import fc from "fast-check";
import { JournaledAuditStore } from "../storage/file/journaled-audit-store.js";
import { sampleEvent } from "../storage/sqlite/audit/fixtures.test-helper.js";
import { AuditLog } from "./audit-log.js";
import {
  AuditReader,
  AuditReaderBusyError,
  AuditStartBeyondHeadError,
  InvalidAuditCursorError,
  isAuditTailPoll,
  TAIL_OPERATION,
} from "./audit-reader.js";

let home: string;
let log: AuditLog;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "coffer-audit-reader-"));
  log = new AuditLog(JournaledAuditStore.openForWriting(home));
});
afterEach(async () => {
  await log.close();
  rmSync(home, { recursive: true, force: true });
});

const append = (n: number, overrides = {}) => log.append(sampleEvent(n, overrides));
const poll = (n: number) => append(n, { operation: TAIL_OPERATION, result: { response: {} } });

describe("AuditReader.queryPage", () => {
  test("pages over the trail as it was at the first page, whatever is appended meanwhile", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 1, max: 7 }),
        fc.constantFrom<"asc" | "desc">("asc", "desc"),
        fc.array(fc.integer({ min: -30, max: 30 }), { maxLength: 10 }),
        async (count, limit, order, appendedOffsets) => {
          const start = (await log.head()).seq;
          for (let i = 0; i < count; i++) await append(i);
          const reader = new AuditReader(log);
          const expected = (await log.readFrom(start + 1, 1000)).map((e) => e.seq);
          const seen: number[] = [];
          let token: string | undefined;
          let pages = 0;
          do {
            const page = await reader.queryPage({ limit, order, nextToken: token, from: undefined });
            seen.push(...page.events.map((e) => e.seq).filter((seq) => seq > start));
            token = page.nextToken;
            // Events appended between pages, some with an eventTime before the cursor's.
            const offset = appendedOffsets[pages++];
            if (offset !== undefined) await append(count + offset);
          } while (token !== undefined);
          const times = new Map((await log.readFrom(1, 100_000)).map((e) => [e.seq, e.event.eventTime]));
          const sorted = [...expected].sort((a, b) => {
            const byTime = (times.get(a) as string).localeCompare(times.get(b) as string) || a - b;
            return order === "asc" ? byTime : -byTime;
          });
          assert.deepEqual(seen, sorted);
        },
      ),
      { numRuns: 25 },
    );
  });

  test("refuses a token made for other filters, and one it never gave", async () => {
    for (let i = 0; i < 5; i++) await append(i);
    const reader = new AuditReader(log);
    const first = await reader.queryPage({ limit: 2, order: "asc" });
    assert.ok(first.nextToken);
    await assert.rejects(
      reader.queryPage({ limit: 2, order: "desc", nextToken: first.nextToken }),
      InvalidAuditCursorError,
    );
    await assert.rejects(
      reader.queryPage({ limit: 2, order: "asc", action: "X", nextToken: first.nextToken }),
      InvalidAuditCursorError,
    );
    await assert.rejects(reader.queryPage({ limit: 2, nextToken: "not-a-token" }), InvalidAuditCursorError);
    const second = await reader.queryPage({ limit: 2, order: "asc", nextToken: first.nextToken });
    assert.deepEqual(
      second.events.map((e) => e.seq),
      [3, 4],
    );
  });

  test("stops a page at its byte budget and goes on from there", async () => {
    for (let i = 0; i < 6; i++) await append(i);
    const reader = new AuditReader(log, { maxBytes: 1 });
    const seqs: number[] = [];
    let token: string | undefined;
    do {
      const page = await reader.queryPage({ limit: 100, order: "asc", nextToken: token });
      assert.equal(page.events.length, 1, "one event per page: each is over the budget");
      seqs.push(...page.events.map((e) => e.seq));
      token = page.nextToken;
    } while (token !== undefined);
    assert.deepEqual(seqs, [1, 2, 3, 4, 5, 6]);
  });
});

describe("AuditReader.tail", () => {
  test("starts the last N events before the head, not counting tail polls", async () => {
    await append(1);
    await append(2);
    await poll(3);
    await append(4);
    await poll(5);
    const reader = new AuditReader(log);
    const answer = await reader.tail({ last: 2, limit: 100, waitMs: 0 });
    assert.deepEqual(
      answer.events.map((e) => e.seq),
      [2, 4],
    );
    assert.equal(answer.nextSeq, 6);
    assert.equal(answer.headSeq, 5);
    assert.ok(answer.events.every((e) => !isAuditTailPoll(e.event)));
    assert.deepEqual(await reader.tail({ limit: 100, waitMs: 0 }), { events: [], nextSeq: 6, headSeq: 5 });
  });

  test("a StartSeq beyond the next event is refused, however large; the next event's seq is a fine start", async () => {
    await append(1);
    await append(2);
    const reader = new AuditReader(log);
    assert.deepEqual(await reader.tail({ startSeq: 3, limit: 10, waitMs: 0 }), {
      events: [],
      nextSeq: 3,
      headSeq: 2,
    });
    for (const startSeq of [4, 1_000_000, Number.MAX_SAFE_INTEGER]) {
      await assert.rejects(reader.tail({ startSeq, limit: 10, waitMs: 5_000 }), AuditStartBeyondHeadError);
    }
  });

  test("reading from far beyond the journal's end answers at once with nothing", async () => {
    for (let i = 0; i < 1030; i++) void append(i);
    await append(1030);
    // Before the fix this scanned down from 2^53 / 1024 positions: it never answered.
    assert.deepEqual(await log.readFrom(Number.MAX_SAFE_INTEGER, 10), []);
    assert.equal((await log.readFrom(1025, 1))[0]?.seq, 1025);
  });

  test("a waiting tail answers as soon as an event is committed", async () => {
    await append(1);
    const reader = new AuditReader(log);
    const started = Date.now();
    const waiting = reader.tail({ startSeq: 2, limit: 100, waitMs: 20_000 });
    await append(2);
    const answer = await waiting;
    assert.deepEqual(
      answer.events.map((e) => e.seq),
      [2],
    );
    assert.ok(Date.now() - started < 10_000, "woken by the commit, not by the end of the wait");
  });

  test("a waiting tail is not woken into answering by tail polls: no echo", async () => {
    const reader = new AuditReader(log);
    const waiting = reader.tail({ startSeq: 1, limit: 100, waitMs: 400 });
    await poll(1);
    await poll(2);
    const answer = await waiting;
    assert.deepEqual(answer.events, []);
    assert.equal(answer.nextSeq, 3, "the polls were passed over");
  });

  test("bounds the tails waiting at once; close() ends the waits", async () => {
    const reader = new AuditReader(log, { maxWaiters: 1 });
    const waiting = reader.tail({ limit: 10, waitMs: 20_000 });
    await assert.rejects(reader.tail({ limit: 10, waitMs: 1000 }), AuditReaderBusyError);
    const started = Date.now();
    reader.close();
    assert.deepEqual((await waiting).events, []);
    assert.ok(Date.now() - started < 10_000);
    assert.deepEqual((await reader.tail({ limit: 10, waitMs: 20_000 })).events, []);
  });
});

describe("AuditReader.verify", () => {
  test("calls made while a verification runs share it", async () => {
    await append(1);
    const reader = new AuditReader(log);
    const [a, b] = [reader.verify(), reader.verify()];
    assert.equal(a, b);
    assert.deepEqual(await a, { ok: true, count: 1, head: await log.head() });
  });
});
