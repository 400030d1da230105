import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { canonicalJson } from "../../../audit/canonical-json.js";
import { chainHash } from "../../../audit/chain-hash.js";
import type { VerifyOptions, VerifyProblem, VerifyResult } from "../../../audit/verify-chain.js";
import { openTrail, sampleEvent, tempDataFolder } from "./fixtures.test-helper.js";
import { SqliteAuditStore } from "./sqlite-audit-store.js";

const EVENTS = 10;

interface Row {
  seq: number;
  prev_hash: string;
  hash: string;
  event: string;
}

/** A trail of 10 events, closed, plus a separate connection to tamper with its file. */
async function trail() {
  const dir = tempDataFolder();
  const { log } = openTrail(dir);
  await Promise.all(Array.from({ length: EVENTS }, (_, i) => log.append(sampleEvent(i + 1))));
  const anchor = await log.head();
  await log.close();
  const db = new Database(`${dir}/audit.db`);
  const row = (seq: number) =>
    db.prepare<[number], Row>("SELECT * FROM audit_events WHERE seq = ?").get(seq) as Row;
  const verify = async (options?: VerifyOptions): Promise<VerifyResult> => {
    const store = SqliteAuditStore.inDataFolder(dir);
    try {
      return await store.verify(options);
    } finally {
      await store.close();
    }
  };
  return { db, row, verify, anchor };
}

/** Moves rows with seq ≥ from by `by` (two steps, so the primary key never collides). */
function renumber(db: Database.Database, from: number, by: number) {
  db.prepare("UPDATE audit_events SET seq = -seq WHERE seq >= ?").run(from);
  db.prepare("UPDATE audit_events SET seq = -seq + ? WHERE seq < 0").run(by);
}

/** Exchanges the seq of two rows: each row stays whole, their order changes. */
function swapSeqs(db: Database.Database, a: number, b: number) {
  const move = db.prepare("UPDATE audit_events SET seq = ? WHERE seq = ?");
  move.run(-1, a);
  move.run(a, b);
  move.run(b, -1);
}

/** A forged event whose hash is computed correctly, as an attacker who knows the algorithm would. */
function forge(prevHash: string): { json: string; hash: string } {
  const json = canonicalJson(sampleEvent(999, { operation: "DeleteSecret" }));
  return { json, hash: chainHash(prevHash, json) };
}

function insertRow(
  db: Database.Database,
  seq: number,
  prevHash: string,
  forged: { json: string; hash: string },
) {
  db.prepare(
    `INSERT INTO audit_events (seq, prev_hash, hash, event, event_time, event_name, principal_arn, access_key_id, outcome)
     VALUES (?, ?, ?, ?, ?, 'DeleteSecret', ?, ?, 'success')`,
  ).run(
    seq,
    prevHash,
    forged.hash,
    forged.json,
    Date.parse(JSON.parse(forged.json).eventTime),
    JSON.parse(forged.json).userIdentity.arn,
    JSON.parse(forged.json).userIdentity.accessKeyId,
  );
}

function expectProblem(result: VerifyResult, seq: number, problem: VerifyProblem) {
  assert.equal(result.ok, false, "verify should fail");
  if (result.ok) return;
  assert.deepEqual({ seq: result.seq, problem: result.problem }, { seq, problem }, result.message);
  assert.ok(result.message.length > 0);
}

describe("verify() on a tampered audit.db", () => {
  it("passes an untouched trail", async () => {
    const { verify, anchor, db } = await trail();
    db.close();
    const result = await verify({ anchor });
    assert.deepEqual(result, { ok: true, count: EVENTS, head: anchor });
  });

  it("finds an edited field (content no longer matches its hash)", async () => {
    const { db, verify } = await trail();
    db.prepare("UPDATE audit_events SET event = replace(event, '10.1.2.3', '10.9.9.9') WHERE seq = 4").run();
    db.close();
    expectProblem(await verify(), 4, "modified");
  });

  it("finds the first event edited", async () => {
    const { db, verify } = await trail();
    db.prepare(
      "UPDATE audit_events SET event = replace(event, 'GetSecretValue', 'DescribeSecret') WHERE seq = 1",
    ).run();
    db.close();
    expectProblem(await verify(), 1, "modified");
  });

  it("finds an edited index column (hiding an event from queries)", async () => {
    const { db, verify } = await trail();
    db.prepare("UPDATE audit_events SET principal_arn = 'arn:aws:iam::1:user/nobody' WHERE seq = 6").run();
    db.close();
    expectProblem(await verify(), 6, "modified");
  });

  it("finds an edited event whose own hash was recomputed", async () => {
    const { db, row, verify } = await trail();
    const original = row(4);
    const json = original.event.replace("10.1.2.3", "10.9.9.9");
    db.prepare("UPDATE audit_events SET event = ?, hash = ? WHERE seq = 4").run(
      json,
      chainHash(original.prev_hash, json),
    );
    db.close();
    expectProblem(await verify(), 4, "modified");
  });

  it("finds the last event replaced and re-hashed (it disagrees with the chain head)", async () => {
    const { db, row, verify } = await trail();
    const last = row(EVENTS);
    const json = last.event.replace("10.1.2.3", "10.9.9.9");
    db.prepare("UPDATE audit_events SET event = ?, hash = ? WHERE seq = ?").run(
      json,
      chainHash(last.prev_hash, json),
      EVENTS,
    );
    db.close();
    expectProblem(await verify(), EVENTS, "modified");
  });

  it("finds a deleted event (a gap in seq)", async () => {
    const { db, verify } = await trail();
    db.prepare("DELETE FROM audit_events WHERE seq = 5").run();
    db.close();
    expectProblem(await verify(), 5, "deleted");
  });

  it("finds a deleted event when the later ones were renumbered to close the gap", async () => {
    const { db, verify } = await trail();
    db.prepare("DELETE FROM audit_events WHERE seq = 5").run();
    renumber(db, 6, -1);
    db.close();
    expectProblem(await verify(), 5, "deleted");
  });

  it("finds two swapped events", async () => {
    const { db, verify } = await trail();
    // Every column but seq changes place: the rows themselves are intact, their order is not.
    swapSeqs(db, 3, 7);
    db.close();
    expectProblem(await verify(), 3, "reordered");
  });

  it("finds two adjacent events swapped", async () => {
    const { db, verify } = await trail();
    swapSeqs(db, 8, 9);
    db.close();
    expectProblem(await verify(), 8, "reordered");
  });

  it("finds a forged event inserted in the middle, correctly hashed and linked", async () => {
    const { db, row, verify } = await trail();
    const before = row(5);
    renumber(db, 6, 1);
    insertRow(db, 6, before.hash, forge(before.hash));
    db.close();
    expectProblem(await verify(), 6, "inserted");
  });

  it("finds a forged event inserted in the middle with a made-up link", async () => {
    const { db, verify } = await trail();
    renumber(db, 6, 1);
    insertRow(db, 6, "ab".repeat(32), forge("ab".repeat(32)));
    db.close();
    expectProblem(await verify(), 6, "inserted");
  });

  it("finds a forged event appended after the recorded head", async () => {
    const { db, row, verify } = await trail();
    const last = row(EVENTS);
    insertRow(db, EVENTS + 1, last.hash, forge(last.hash));
    db.close();
    expectProblem(await verify(), EVENTS + 1, "inserted");
  });

  it("finds a duplicated seq", async () => {
    const { db, row, verify } = await trail();
    // Without the primary key a second event can share a seq.
    db.exec(`CREATE TABLE copy AS SELECT * FROM audit_events;
             DROP TABLE audit_events;
             ALTER TABLE copy RENAME TO audit_events;`);
    const fourth = row(4);
    const forged = forge(fourth.prev_hash);
    insertRow(db, 4, fourth.prev_hash, forged);
    db.close();
    expectProblem(await verify(), 4, "inserted");
  });

  it("finds a truncated tail", async () => {
    const { db, verify } = await trail();
    db.prepare("DELETE FROM audit_events WHERE seq >= 9").run();
    db.close();
    expectProblem(await verify(), 9, "truncated");
  });

  it("finds a truncated tail whose head was rewritten too, only against an external anchor", async () => {
    const { db, row, verify, anchor } = await trail();
    db.prepare("DELETE FROM audit_events WHERE seq >= 9").run();
    db.prepare("UPDATE chain_head SET seq = 8, hash = ?").run(row(8).hash);
    db.close();
    assert.equal(
      (await verify()).ok,
      true,
      "without an anchor, a consistent rewrite of the tail is undetectable",
    );
    expectProblem(await verify({ anchor }), 9, "truncated");
  });

  it("finds a missing chain head", async () => {
    const { db, verify } = await trail();
    db.prepare("DELETE FROM chain_head").run();
    db.close();
    expectProblem(await verify(), EVENTS + 1, "truncated");
  });

  it("refuses to extend a tampered chain (fail-closed) until it is repaired", async () => {
    const { db, row } = await trail();
    const last = row(EVENTS);
    insertRow(db, EVENTS + 1, last.hash, forge(last.hash));
    const dir = db.name.replace(/\/audit\.db$/, "");
    db.close();
    const { log } = openTrail(dir);
    await assert.rejects(log.append(sampleEvent(50)), { name: "AuditWriteError" });
    await log.close();
  });
});
