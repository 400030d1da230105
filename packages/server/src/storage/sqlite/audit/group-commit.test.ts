import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { AuditLog } from "../../../audit/audit-log.js";
import type { AuditStore } from "../../../audit/port.js";
import { openTrail, sampleEvent, tempDataFolder } from "./fixtures.test-helper.js";
import { SqliteAuditStore } from "./sqlite-audit-store.js";

/** The store with each appendBatch call (one transaction) counted. */
function counting(store: AuditStore): { store: AuditStore; transactions: () => number } {
  let calls = 0;
  const counted: AuditStore = Object.create(store);
  counted.appendBatch = (records) => {
    calls++;
    return store.appendBatch(records);
  };
  return { store: counted, transactions: () => calls };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("AuditLog group commit", () => {
  it("writes 1000 concurrent appends in far fewer transactions, each promise settling after its commit", async () => {
    const dir = tempDataFolder();
    const sqlite = SqliteAuditStore.inDataFolder(dir);
    const { store, transactions } = counting(sqlite);
    const commits: number[] = [];
    const log = new AuditLog(store, { onCommit: (info) => commits.push(info.events) });
    const observer = new Database(`${dir}/audit.db`, { readonly: true });
    const visible = observer
      .prepare<[string], number>(
        "SELECT count(*) FROM audit_events WHERE json_extract(event, '$.eventID') = ?",
      )
      .pluck();
    let resolvedBeforeCommit = 0;
    const events = Array.from({ length: 1000 }, (_, i) => sampleEvent(i));
    await Promise.all(
      events.map((event) =>
        log.append(event).then(() => {
          // Another connection sees only committed data.
          if (visible.get(event.eventID) !== 1) resolvedBeforeCommit++;
        }),
      ),
    );
    assert.equal(resolvedBeforeCommit, 0);
    assert.equal(transactions(), 1, "appends of one event-loop turn share one transaction");
    assert.deepEqual(commits, [1000]);
    assert.deepEqual(log.stats(), {
      committedEvents: 1000,
      transactions: 1,
      failedTransactions: 0,
      failedEvents: 0,
      largestBatch: 1000,
    });
    const stored = await sqlite.readFrom(1, 1000);
    assert.deepEqual(
      stored.map((s) => s.event.eventID),
      events.map((e) => e.eventID),
      "stored in append order",
    );
    assert.deepEqual(await log.verify(), { ok: true, count: 1000, head: await log.head() });
    observer.close();
    await log.close();
  });

  it("commits once per event-loop turn, and splits a turn larger than maxBatch", async () => {
    const { store, transactions } = counting(SqliteAuditStore.inDataFolder(tempDataFolder()));
    const log = new AuditLog(store, { maxBatch: 64 });
    const all: Array<Promise<void>> = [];
    for (let turn = 0; turn < 10; turn++) {
      for (let i = 0; i < 20; i++) all.push(log.append(sampleEvent(turn * 100 + i)));
      await nextTurn();
    }
    await Promise.all(all);
    assert.ok(transactions() <= 10, `${transactions()} transactions for 10 turns`);
    const before = transactions();
    await Promise.all(Array.from({ length: 200 }, (_, i) => log.append(sampleEvent(5000 + i))));
    assert.equal(transactions() - before, 4, "200 events, at most 64 per transaction");
    assert.equal((await log.verify()).ok, true);
    await log.close();
  });

  it("rejects every waiting append when the database is closed underneath", async () => {
    const { store, log } = openTrail(tempDataFolder());
    await log.append(sampleEvent(0));
    await store.close();
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => log.append(sampleEvent(i + 1))),
    );
    assert.equal(results.filter((r) => r.status === "rejected").length, 100);
    const first = results[0];
    assert.ok(first?.status === "rejected");
    assert.equal((first.reason as Error).name, "AuditWriteError");
    assert.ok((first.reason as Error).cause instanceof Error);
    assert.deepEqual(
      { failedTransactions: log.stats().failedTransactions, failedEvents: log.stats().failedEvents },
      { failedTransactions: 1, failedEvents: 100 },
    );
  });

  it("rejects the whole batch when a write fails, stores none of it, and recovers afterwards", async () => {
    const dir = tempDataFolder();
    const { log } = openTrail(dir);
    await Promise.all([1, 2, 3].map((n) => log.append(sampleEvent(n))));
    const headBefore = await log.head();
    const saboteur = new Database(`${dir}/audit.db`);
    // The 5th insert of the next batch fails: the 4 before it must be rolled back too.
    saboteur.exec(`CREATE TRIGGER sabotage BEFORE INSERT ON audit_events WHEN NEW.seq = 8
                   BEGIN SELECT RAISE(ABORT, 'disk on fire'); END;`);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => log.append(sampleEvent(10 + i))),
    );
    assert.ok(results.every((r) => r.status === "rejected"));
    assert.deepEqual(await log.head(), headBefore);
    assert.equal(saboteur.prepare("SELECT count(*) FROM audit_events").pluck().get(), 3);
    saboteur.exec("DROP TRIGGER sabotage");
    saboteur.close();
    await log.append(sampleEvent(99));
    assert.deepEqual(await log.verify(), { ok: true, count: 4, head: await log.head() });
    await log.close();
  });

  it("rejects the batch when another process holds the write lock past the busy timeout", async () => {
    const dir = tempDataFolder();
    const { log } = openTrail(dir, { busyTimeoutMs: 20 });
    await log.append(sampleEvent(0));
    const other = new Database(`${dir}/audit.db`);
    other.exec("BEGIN IMMEDIATE");
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => log.append(sampleEvent(i + 1))),
    );
    assert.ok(results.every((r) => r.status === "rejected"));
    other.exec("ROLLBACK");
    other.close();
    await log.append(sampleEvent(11));
    assert.equal((await log.verify()).ok, true);
    await log.close();
  });

  it("rejects only the caller whose event cannot be serialized", async () => {
    const { log } = openTrail(tempDataFolder());
    const bad = { ...sampleEvent(1), eventTime: "yesterday" };
    const results = await Promise.allSettled([
      log.append(sampleEvent(0)),
      log.append(bad),
      log.append(sampleEvent(2)),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ["fulfilled", "rejected", "fulfilled"],
    );
    await log.close();
  });

  it("commits what is pending on close, then refuses new events", async () => {
    const { log, store } = openTrail(tempDataFolder());
    const pending = log.append(sampleEvent(1));
    const closed = log.close();
    await assert.rejects(log.append(sampleEvent(2)), { name: "AuditWriteError" });
    await pending;
    await closed;
    const reopened = SqliteAuditStore.inDataFolder(store.path.replace(/\/audit\.db$/, ""));
    assert.equal((await reopened.head()).seq, 1);
    await reopened.close();
  });

  it("extends one chain when two processes share the file", async () => {
    const dir = tempDataFolder();
    const a = openTrail(dir);
    const b = openTrail(dir);
    for (let i = 0; i < 5; i++) {
      await Promise.all([a.log.append(sampleEvent(i)), b.log.append(sampleEvent(100 + i))]);
    }
    assert.deepEqual(await a.log.verify(), { ok: true, count: 10, head: await b.log.head() });
    await a.log.close();
    await b.log.close();
  });
});
