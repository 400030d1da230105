import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { auditJournalFileName, JournaledAuditStore } from "../storage/file/journaled-audit-store.js";
import { sampleEvent } from "../storage/sqlite/audit/fixtures.test-helper.js";
import { type AuditHealth, AuditLog } from "./audit-log.js";
import type { PreparedAuditRecord } from "./audit-record.js";
import { AuditWriteError } from "./audit-write-error.js";
import { canonicalJson } from "./canonical-json.js";
import type { AuditEvent } from "./event.js";
import type { AuditStore } from "./port.js";

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "coffer-audit-log-"));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

/** The real journal, made to fail like a full disk while `failing` is set. */
function flakyJournal(): AuditStore & { failing: boolean } {
  const inner = JournaledAuditStore.openForWriting(home);
  return Object.assign(Object.create(inner) as AuditStore, {
    failing: false,
    appendBatch(this: { failing: boolean }, records: readonly PreparedAuditRecord[]) {
      if (this.failing) {
        return Promise.reject(Object.assign(new Error("no space left on device"), { code: "ENOSPC" }));
      }
      return inner.appendBatch(records);
    },
    close: () => inner.close(),
  });
}

const outageEvent = (outage: { since: number; endedAt: number; refusedEvents: number; reason: string }) =>
  ({
    ...sampleEvent(0),
    eventName: "AuditTrailOutage",
    additionalEventData: { refusedEvents: outage.refusedEvents, reason: outage.reason },
  }) as AuditEvent;

const journalEvents = () =>
  readFileSync(join(home, auditJournalFileName), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { event: AuditEvent }).event);

/** The next health change. The probe's timer does not hold the process open; this wait does. */
function nextHealth(log: AuditLog): Promise<AuditHealth> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the trail's health never changed")), 10_000);
    const stop = log.onHealthChange((health) => {
      clearTimeout(timer);
      stop();
      resolve(health);
    });
  });
}

describe("an audit trail that fails", () => {
  test("refuses appends, reports the outage, and recovers by itself, recording the outage first", async () => {
    const store = flakyJournal();
    const log = new AuditLog(store, { outageEvent, probeIntervalMs: 5 });
    try {
      await log.append(sampleEvent(1));
      store.failing = true;
      const down = nextHealth(log);
      await assert.rejects(log.append(sampleEvent(2)), AuditWriteError);
      await assert.rejects(log.append(sampleEvent(3)), AuditWriteError);
      const health = await down;
      assert.equal(health.ok, false);
      assert.deepEqual(
        log.health().ok === false && [log.health().ok, (log.health() as { reason: string }).reason],
        [false, "ENOSPC"],
      );
      const up = nextHealth(log);
      store.failing = false;
      // Nothing is appended: the probe alone brings the trail back.
      assert.deepEqual(await up, { ok: true });
      await log.append(sampleEvent(4));
      const events = journalEvents();
      assert.deepEqual(
        events.map((e) => e.eventName),
        [sampleEvent(1).eventName, "AuditTrailOutage", sampleEvent(4).eventName],
      );
      assert.equal(events[1]?.additionalEventData?.refusedEvents, 2);
      assert.equal(events[1]?.additionalEventData?.reason, "ENOSPC");
    } finally {
      await log.close();
    }
    const reader = new AuditLog(JournaledAuditStore.openForReading(home));
    try {
      assert.equal((await reader.verify()).ok, true);
    } finally {
      await reader.close();
    }
  });

  test("without an outage event, the next append that succeeds ends the outage", async () => {
    const store = flakyJournal();
    const log = new AuditLog(store);
    try {
      store.failing = true;
      await assert.rejects(log.append(sampleEvent(1)), AuditWriteError);
      assert.equal(log.health().ok, false);
      store.failing = false;
      await log.append(sampleEvent(2));
      assert.deepEqual(log.health(), { ok: true });
      assert.equal(journalEvents().length, 1);
    } finally {
      await log.close();
    }
  });
});

describe("one turn's appends", () => {
  test("are written by one appendBatch and all settle together, before any later macrotask", async () => {
    const inner = JournaledAuditStore.openForWriting(home);
    const batches: number[] = [];
    const store = Object.assign(Object.create(inner) as AuditStore, {
      appendBatch(records: readonly PreparedAuditRecord[]) {
        batches.push(records.length);
        return inner.appendBatch(records);
      },
      close: () => inner.close(),
    });
    const settled: number[] = [];
    let settledByCommitDrain: number[] | undefined;
    // Told synchronously after the write: a microtask queued now runs after every reaction that
    // the write's resolutions queued, and before anything a timer or a later turn could release.
    const log = new AuditLog(store, {
      onCommit: () => queueMicrotask(() => (settledByCommitDrain = [...settled])),
    });
    const appends = Array.from({ length: 50 }, (_, i) =>
      log.appendLine(canonicalJson(sampleEvent(i))).then(() => settled.push(i)),
    );
    await Promise.all(appends);
    await log.close();
    assert.deepEqual(batches, [50]);
    assert.deepEqual(
      settledByCommitDrain,
      Array.from({ length: 50 }, (_, i) => i),
    );
  });
});

describe("a turn larger than maxBatch", () => {
  test("settles each transaction's appends by that transaction alone", async () => {
    const inner = JournaledAuditStore.openForWriting(home);
    let transaction = 0;
    const store = Object.assign(Object.create(inner) as AuditStore, {
      appendBatch(records: readonly PreparedAuditRecord[]) {
        // The second of three transactions fails, as a full disk would.
        if (++transaction === 2) return Promise.reject(Object.assign(new Error("full"), { code: "ENOSPC" }));
        return inner.appendBatch(records);
      },
      close: () => inner.close(),
    });
    const log = new AuditLog(store, { maxBatch: 2 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => log.appendLine(canonicalJson(sampleEvent(i)))),
    );
    await log.close();
    assert.deepEqual(
      outcomes.map((outcome) => outcome.status),
      ["fulfilled", "fulfilled", "rejected", "rejected", "fulfilled"],
    );
    for (const outcome of outcomes) {
      if (outcome.status === "rejected") assert.ok(outcome.reason instanceof AuditWriteError);
    }
    assert.deepEqual(
      journalEvents().map((event) => event.requestID),
      [0, 1, 4].map((i) => sampleEvent(i).requestID),
    );
  });
});
