import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { before, describe, it } from "node:test";
import type { AuditLog } from "../../../audit/audit-log.js";
import type { AuditQuery, StoredAuditEvent } from "../../../audit/audit-query.js";
import { prepareAuditRecord } from "../../../audit/audit-record.js";
import { canonicalJson } from "../../../audit/canonical-json.js";
import { chainHash, GENESIS_HASH } from "../../../audit/chain-hash.js";
import { ACCOUNT, arnOf, openTrail, sampleEvent, tempDataFolder } from "./fixtures.test-helper.js";
import { SqliteAuditStore } from "./sqlite-audit-store.js";

const alice = `arn:aws:iam::${ACCOUNT}:user/alice`;
const bob = `arn:aws:iam::${ACCOUNT}:user/bob`;
const aliceKey = "AKIAALICE0000000";
const bobKey = "AKIABOB000000000";
const t0 = Date.UTC(2026, 2, 1);

/** 60 events: alice/bob alternate, a mix of reads, writes, failures and refusals. */
function scenario(n: number) {
  const caller =
    n % 2 === 0 ? { accessKeyId: aliceKey, principal: alice } : { accessKeyId: bobKey, principal: bob };
  const name = n % 3 === 0 ? "prod/db" : "dev/api";
  const time = t0 + n * 60_000;
  if (n % 10 === 7) {
    return sampleEvent(n, {
      caller: undefined,
      attemptedAccessKeyId: "AKIAINTRUDER0000",
      request: { SecretId: name },
      result: { error: { awsName: "UnrecognizedClientException", message: "invalid token" } },
      time,
    });
  }
  if (n % 10 === 5) {
    return sampleEvent(n, {
      caller,
      request: { SecretId: "missing" },
      result: { error: { awsName: "ResourceNotFoundException", message: "not found" } },
      time,
    });
  }
  const byArn = n % 4 === 0;
  return sampleEvent(n, {
    caller,
    operation: n % 6 === 1 ? "PutSecretValue" : "GetSecretValue",
    request: { SecretId: byArn ? arnOf(name) : name },
    result: { response: { ARN: arnOf(name), Name: name, VersionId: `v${n}` } },
    time,
  });
}

const seqs = (events: StoredAuditEvent[]) => events.map((e) => e.seq);

describe("query, tail and export", () => {
  let log: AuditLog;
  let store: SqliteAuditStore;
  let dir: string;
  let all: StoredAuditEvent[];

  before(async () => {
    dir = tempDataFolder();
    ({ log, store } = openTrail(dir));
    await Promise.all(Array.from({ length: 60 }, (_, n) => log.append(scenario(n))));
    all = await store.readFrom(1, 1000);
    assert.equal(all.length, 60);
  });

  const expectMatches = async (
    query: Omit<AuditQuery, "limit">,
    predicate: (e: StoredAuditEvent) => boolean,
  ) => {
    const page = await store.query({ ...query, limit: 1000 });
    const expected = all.filter(predicate);
    assert.ok(expected.length > 0, "the scenario covers the filter");
    assert.deepEqual(seqs(page.events), seqs(expected), JSON.stringify(query));
  };

  it("filters by secret, whether it was named by name or ARN", async () => {
    const named = (e: StoredAuditEvent, name: string) =>
      e.event.requestParameters?.secretId === name ||
      e.event.requestParameters?.secretId === arnOf(name) ||
      e.event.responseElements?.name === name;
    await expectMatches({ secretId: "prod/db" }, (e) => named(e, "prod/db"));
    await expectMatches({ secretId: arnOf("prod/db") }, (e) =>
      (e.event.resources ?? []).some((r) => r.ARN === arnOf("prod/db")),
    );
    await expectMatches({ secretId: "missing" }, (e) => e.event.requestParameters?.secretId === "missing");
  });

  it("filters by principal ARN or access key id", async () => {
    await expectMatches({ principal: alice }, (e) => e.event.userIdentity.arn === alice);
    await expectMatches({ principal: bobKey }, (e) => e.event.userIdentity.accessKeyId === bobKey);
    await expectMatches({ principal: "AKIAINTRUDER0000" }, (e) => e.event.userIdentity.type === "Unknown");
  });

  it("filters by action, outcome and time, alone and combined", async () => {
    await expectMatches({ action: "PutSecretValue" }, (e) => e.event.eventName === "PutSecretValue");
    await expectMatches({ outcome: "success" }, (e) => e.event.errorCode === undefined);
    await expectMatches({ outcome: "denied" }, (e) => e.event.errorCode === "UnrecognizedClientException");
    await expectMatches({ outcome: "error" }, (e) => e.event.errorCode === "ResourceNotFoundException");
    await expectMatches({ outcome: "allowed" }, (e) => e.event.errorCode !== "UnrecognizedClientException");
    const from = new Date(t0 + 10 * 60_000);
    const to = new Date(t0 + 20 * 60_000);
    await expectMatches(
      { from, to },
      (e) => Date.parse(e.event.eventTime) >= from.getTime() && Date.parse(e.event.eventTime) < to.getTime(),
    );
    await expectMatches(
      { secretId: "dev/api", principal: alice, action: "GetSecretValue", outcome: "success", from },
      (e) =>
        e.event.responseElements?.name === "dev/api" &&
        e.event.userIdentity.arn === alice &&
        e.event.eventName === "GetSecretValue" &&
        e.event.errorCode === undefined &&
        Date.parse(e.event.eventTime) >= from.getTime(),
    );
  });

  it("pages with a seq cursor in both orders", async () => {
    for (const order of ["asc", "desc"] as const) {
      const collected: number[] = [];
      let after: number | undefined;
      for (;;) {
        const page = await store.query({ principal: alice, order, limit: 7, after });
        collected.push(...seqs(page.events));
        if (page.nextAfter === undefined) break;
        after = page.nextAfter;
      }
      // The scenario's event times grow with seq, so time order is seq order here.
      const expected = seqs(all.filter((e) => e.event.userIdentity.arn === alice));
      assert.deepEqual(collected, order === "asc" ? expected : expected.reverse());
    }
    await assert.rejects(store.query({ limit: 0 }), RangeError);
    await assert.rejects(store.query({ limit: 10, after: 10_000 }), RangeError);
    await assert.rejects(store.query({ limit: 10, outcome: "maybe" as "success" }), RangeError);
  });

  it("serves each filter from an index, without sorting, choosing one index when filters combine", () => {
    const plans: Array<[Omit<AuditQuery, "limit">, RegExp]> = [
      [
        { secretId: "prod/db" },
        /SEARCH s USING PRIMARY KEY \(secret=\?\)[\s\S]*SEARCH e USING INTEGER PRIMARY KEY/,
      ],
      [{ secretId: "prod/db", from: new Date(t0), after: 3 }, /SEARCH s USING PRIMARY KEY \(secret=\? AND /],
      [{ principal: alice }, /SEARCH e USING INDEX audit_events_by_principal \(principal_arn=\?\)/],
      [{ principal: aliceKey }, /SEARCH e USING INDEX audit_events_by_access_key \(access_key_id=\?\)/],
      [{ action: "GetSecretValue" }, /SEARCH e USING INDEX audit_events_by_name \(event_name=\?\)/],
      [{ outcome: "denied" }, /SEARCH e USING INDEX audit_events_by_problem \(outcome=\?\)/],
      [
        { from: new Date(t0), to: new Date(t0 + 1) },
        /SEARCH e USING INDEX audit_events_by_time \(event_time>\? AND event_time<\?\)/,
      ],
      [
        { principal: alice, from: new Date(t0), order: "desc" },
        /audit_events_by_principal \(principal_arn=\? AND event_time>\?\)/,
      ],
      [
        { principal: alice, action: "GetSecretValue", outcome: "success" },
        /audit_events_by_principal \(principal_arn=\?\)/,
      ],
      [{ outcome: "success", after: 10 }, /SEARCH e USING INDEX audit_events_by_time \(event_time>\?\)/],
      [{}, /SCAN e USING INDEX audit_events_by_time/],
    ];
    for (const [query, expected] of plans) {
      const plan = store.explainQuery({ ...query, limit: 10 }).join("\n");
      assert.match(plan, expected, `${JSON.stringify(query)}:\n${plan}`);
      assert.doesNotMatch(plan, /TEMP B-TREE|SCAN [a-z_]+$/m, `${JSON.stringify(query)}:\n${plan}`);
    }
  });

  it("returns events in eventTime order, whatever order they were committed in", async () => {
    const late = scenario(0);
    const early = {
      ...late,
      eventID: "late-committed-early-event",
      eventTime: new Date(t0 - 1).toISOString(),
    };
    const scratch = openTrail(tempDataFolder());
    await scratch.log.append(late);
    await scratch.log.append(early);
    const asc = await scratch.store.query({ limit: 10 });
    assert.deepEqual(
      asc.events.map((e) => e.event.eventID),
      [early.eventID, late.eventID],
    );
    const desc = await scratch.store.query({ limit: 1, order: "desc" });
    const rest = await scratch.store.query({ limit: 1, order: "desc", after: desc.nextAfter });
    assert.deepEqual(
      [...desc.events, ...rest.events].map((e) => e.event.eventID),
      [late.eventID, early.eventID],
    );
    await scratch.log.close();
  });

  it("tails stored events and stops by itself when not following", async () => {
    const seen: number[] = [];
    const tail = log.tail({ follow: false, fromSeq: 55, onEvent: (e) => void seen.push(e.seq) });
    await tail.done;
    assert.deepEqual(seen, [55, 56, 57, 58, 59, 60]);
  });

  it("follows new events as they are committed (in-process notice) and stops cleanly", async () => {
    const seen: number[] = [];
    let notify: (() => void) | undefined;
    const tail = log.tail({
      follow: true,
      pollIntervalMs: 60_000,
      onEvent: async (e) => {
        seen.push(e.seq);
        if (seen.length === 3) notify?.();
      },
    });
    const threeSeen = new Promise<void>((resolve) => {
      notify = resolve;
    });
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all([61, 62, 63].map((n) => log.append(scenario(n))));
    await threeSeen;
    await tail.stop();
    await tail.done;
    await log.append(scenario(64));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(seen, [61, 62, 63], "only new events, none after stop");
  });

  it("follows a trail another process writes by polling, and stops on abort", async () => {
    const reader = new SqliteAuditStore(store.path, { readOnly: true });
    const { AuditLog } = await import("../../../audit/audit-log.js");
    const readerLog = new AuditLog(reader);
    await assert.rejects(readerLog.append(scenario(1)), { name: "AuditWriteError" });
    const abort = new AbortController();
    const seen: number[] = [];
    const tail = readerLog.tail({
      follow: true,
      pollIntervalMs: 10,
      signal: abort.signal,
      onEvent: (e) => {
        seen.push(e.seq);
        if (e.seq === 66) abort.abort();
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    await Promise.all([65, 66].map((n) => log.append(scenario(n))));
    await tail.done;
    assert.deepEqual(seen, [65, 66]);
    assert.equal((await readerLog.verify()).ok, true);
    await readerLog.close();
  });

  it("reads and verifies, read-only, a trail whose writer has shut down", async () => {
    const scratch = openTrail(tempDataFolder());
    await Promise.all([1, 2, 3].map((n) => scratch.log.append(scenario(n))));
    await scratch.log.close();
    const reader = new SqliteAuditStore(scratch.store.path, { readOnly: true });
    assert.equal((await reader.query({ limit: 10 })).events.length, 3);
    assert.deepEqual(await reader.verify(), { ok: true, count: 3, head: await reader.head() });
    await assert.rejects(
      reader.appendBatch([]).then(() => reader.appendBatch([prepareAuditRecord(scenario(4))])),
      /read-only/,
    );
    await reader.close();
    assert.throws(
      () => new SqliteAuditStore(`${scratch.store.path}.missing`, { readOnly: true }),
      /no audit trail/,
    );
  });

  it("ends a tail whose consumer fails, with that failure", async () => {
    const tail = log.tail({
      follow: true,
      fromSeq: 1,
      onEvent: () => {
        throw new Error("consumer broke");
      },
    });
    await assert.rejects(tail.done, /consumer broke/);
  });

  it("exports JSON Lines with back-pressure, as bare records or with their chain links", async () => {
    const lines: string[] = [];
    let writes = 0;
    const slow = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _encoding, callback) {
        writes++;
        lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
        setTimeout(callback, 1);
      },
    });
    const count = await log.exportJsonLines(slow, { principal: bob }, { pageSize: 5 });
    const expected = (await store.query({ principal: bob, limit: 1000 })).events;
    assert.equal(count, expected.length);
    assert.ok(writes > 1);
    assert.deepEqual(
      lines.map((line) => JSON.parse(line)),
      expected.map((e) => e.event),
    );
    assert.ok(lines.every((line) => line === canonicalJson(JSON.parse(line))));

    const chained: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chained.push(...chunk.toString("utf8").split("\n").filter(Boolean));
        callback();
      },
    });
    await log.exportJsonLines(sink, {}, { chain: true });
    let prev = GENESIS_HASH;
    for (const line of chained) {
      const { prevHash, hash, event } = JSON.parse(line) as StoredAuditEvent;
      assert.equal(prevHash, prev);
      assert.equal(chainHash(prevHash, canonicalJson(event)), hash, "a receiver can re-check the chain");
      prev = hash;
    }
    assert.equal(chained.length, (await log.head()).seq);
  });

  it("verifies from a snapshot while appends continue", async () => {
    const appending = Promise.all(Array.from({ length: 500 }, (_, i) => log.append(scenario(100 + i))));
    const [result] = await Promise.all([log.verify(), appending]);
    assert.equal(result.ok, true);
    assert.deepEqual(await log.verify(), { ok: true, count: (await log.head()).seq, head: await log.head() });
    await log.close();
  });
});
