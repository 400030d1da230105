/**
 * What every AuditStore engine promises (audit/port.ts), as one suite any engine's test file runs:
 * `describeAuditStoreContract("PostgreSQL", open)`. Queries are checked against a reference filter
 * written here from AuditQuery's documentation, and hashes against chain-hash.ts itself, so every
 * engine chains the same event to the same hash and a trail from one verifies with the same code.
 *
 * Test support only: imports node:test, and is not part of the server's API.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type AuditQuery, MAX_QUERY_LIMIT, type StoredAuditEvent } from "../../audit/audit-query.js";
import { auditIndexFields, type PreparedAuditRecord, prepareAuditRecord } from "../../audit/audit-record.js";
import { canonicalJson } from "../../audit/canonical-json.js";
import { chainHash, GENESIS_HASH } from "../../audit/chain-hash.js";
import type { AuditEvent } from "../../audit/event.js";
import type { AuditStore } from "../../audit/port.js";
import { ACCOUNT, sampleEvent } from "../sqlite/audit/fixtures.test-helper.js";

export interface AuditStoreHarness {
  store: AuditStore;
  /** Engine-specific tampering, done the way someone with write access to the storage would. */
  tamper: {
    /** Changes the stored event `seq` (its requestID `req-…` becomes `rex-…`), leaving its hash. */
    editEvent(seq: number): Promise<void>;
    /** Removes event `seq` and nothing else. */
    removeEvent(seq: number): Promise<void>;
  };
  /** Closes the store (if still open) and removes everything the harness created. */
  cleanup(): Promise<void>;
}

const BASE = Date.UTC(2026, 0, 1);
const denied = { error: { awsName: "AccessDeniedException", message: "Access denied." } };
const failed = { error: { awsName: "ResourceNotFoundException", message: "Secrets Manager can't find it." } };

/**
 * A varied trail, appended in an order that is NOT eventTime order: the engines must sort queries
 * by (eventTime, seq), not by seq.
 */
export function contractEvents(): AuditEvent[] {
  const order = [7, 2, 9, 1, 12, 4, 3, 11, 6, 10, 5, 8];
  const events = order.map((n) => {
    if (n === 11) return sampleEvent(n, { result: denied });
    if (n === 12) return sampleEvent(n, { result: failed, request: { SecretId: "app/missing" } });
    return sampleEvent(n);
  });
  // Two events at the same instant (ties break by seq), one intent, and secret names PostgreSQL
  // TEXT cannot hold as they are (U+0000) or that escaping could confuse (a backslash).
  events.push(sampleEvent(20, { time: BASE + 3000 }), sampleEvent(21, { time: BASE + 3000 }));
  events.push({
    ...sampleEvent(22, {
      operation: "PutSecretValue",
      request: { SecretId: "app/secret-1" },
      result: { intent: true },
    }),
  });
  events.push(sampleEvent(23, { request: { SecretId: "odd\u0000name" } }));
  events.push(sampleEvent(24, { request: { SecretId: "back\\0slash" } }));
  return events;
}

/** Appends the events in batches of 3, the odd batches as bare JSON lines (as AuditLog.appendLine does). */
async function appendAll(store: AuditStore, events: readonly AuditEvent[]) {
  const ranges = [];
  for (let at = 0, batch = 0; at < events.length; at += 3, batch++) {
    const records: PreparedAuditRecord[] = events
      .slice(at, at + 3)
      .map((event) => (batch % 2 === 0 ? prepareAuditRecord(event) : { json: canonicalJson(event) }));
    ranges.push(await store.appendBatch(records));
  }
  return ranges;
}

/** The chain as chain-hash.ts computes it: what every engine must store. */
function expectedChain(
  events: readonly AuditEvent[],
): Array<{ seq: number; prevHash: string; hash: string }> {
  let prevHash = GENESIS_HASH;
  return events.map((event, i) => {
    const hash = chainHash(prevHash, canonicalJson(event));
    const link = { seq: i + 1, prevHash, hash };
    prevHash = hash;
    return link;
  });
}

/** AuditQuery's documented meaning, as a filter over the events appended (seq = index + 1). */
function referenceQuery(events: readonly AuditEvent[], query: Omit<AuditQuery, "limit">): number[] {
  const matching = events
    .map((event, i) => ({ seq: i + 1, fields: auditIndexFields(event) }))
    .filter(({ seq, fields }) => {
      if (query.secretId !== undefined && !fields.secrets.includes(query.secretId)) return false;
      if (query.principal !== undefined) {
        const value = query.principal.startsWith("arn:") ? fields.principalArn : fields.accessKeyId;
        if (value !== query.principal) return false;
      }
      if (query.action !== undefined && fields.eventName !== query.action) return false;
      if (query.outcome === "allowed" && (fields.outcome === "denied" || fields.outcome === "intent"))
        return false;
      if (query.outcome !== undefined && query.outcome !== "allowed" && fields.outcome !== query.outcome)
        return false;
      if (query.from !== undefined && fields.eventTime < query.from.getTime()) return false;
      if (query.to !== undefined && fields.eventTime >= query.to.getTime()) return false;
      if (query.maxSeq !== undefined && seq > query.maxSeq) return false;
      return true;
    })
    .sort((a, b) => a.fields.eventTime - b.fields.eventTime || a.seq - b.seq);
  const seqs = matching.map(({ seq }) => seq);
  return query.order === "desc" ? seqs.reverse() : seqs;
}

/** Every page of a query, `limit` at a time, following nextAfter. */
async function allPages(
  store: AuditStore,
  query: Omit<AuditQuery, "limit">,
  limit: number,
): Promise<number[]> {
  const seqs: number[] = [];
  let after: number | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await store.query({ ...query, limit, after });
    seqs.push(...page.events.map((event) => event.seq));
    if (page.nextAfter === undefined) return seqs;
    assert.equal(page.events.length, limit, "nextAfter is set only on a full page");
    after = page.nextAfter;
  }
  throw new Error("the query never ended");
}

const queries: Array<Omit<AuditQuery, "limit">> = [
  {},
  { order: "desc" },
  { secretId: "app/secret-1" },
  { secretId: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:app/secret-2-AbC123` },
  { secretId: "app/missing" },
  { secretId: "odd\u0000name" },
  { secretId: "back\\0slash" },
  { secretId: "odd\\0name" },
  { principal: `arn:aws:iam::${ACCOUNT}:user/user-1` },
  { principal: "AKIAUSER2000000000" },
  { action: "PutSecretValue" },
  { action: "GetSecretValue", order: "desc" },
  { outcome: "success" },
  { outcome: "denied" },
  { outcome: "error" },
  { outcome: "allowed" },
  { from: new Date(BASE + 3000), to: new Date(BASE + 9000) },
  { maxSeq: 6 },
  { secretId: "app/secret-1", outcome: "allowed", order: "desc" },
  { principal: `arn:aws:iam::${ACCOUNT}:user/user-0`, action: "GetSecretValue", from: new Date(BASE + 2000) },
  { secretId: "app/secret-2", maxSeq: 10, to: new Date(BASE + 12_000) },
];

export function describeAuditStoreContract(name: string, open: () => Promise<AuditStoreHarness>): void {
  describe(`AuditStore contract: ${name}`, () => {
    /** Runs a case on a fresh store, cleaned up whatever happens. */
    const withStore = async (test: (harness: AuditStoreHarness) => Promise<void>) => {
      const harness = await open();
      try {
        await test(harness);
      } finally {
        await harness.cleanup();
      }
    };

    it("starts empty: head at genesis, nothing to read, and an empty chain verifies", () =>
      withStore(async ({ store }) => {
        assert.deepEqual(await store.head(), { seq: 0, hash: GENESIS_HASH });
        assert.deepEqual(await store.readFrom(1, 10), []);
        assert.deepEqual((await store.query({ limit: 10 })).events, []);
        const verified = await store.verify();
        assert.equal(verified.ok, true);
        assert.equal(verified.ok && verified.count, 0);
      }));

    it("appends batches as ranges extending one chain, hashed exactly as chain-hash.ts says", () =>
      withStore(async ({ store }) => {
        const events = contractEvents();
        const ranges = await appendAll(store, events);
        const chain = expectedChain(events);
        let next = 1;
        for (const range of ranges) {
          assert.equal(range.firstSeq, next);
          assert.equal(range.hash, chain[range.lastSeq - 1]?.hash);
          next = range.lastSeq + 1;
        }
        assert.equal(next - 1, events.length);
        assert.deepEqual(await store.head(), { seq: events.length, hash: chain.at(-1)?.hash });
        const stored = await store.readFrom(1, 1000);
        assert.deepEqual(
          stored.map(({ seq, prevHash, hash }) => ({ seq, prevHash, hash })),
          chain,
        );
        assert.deepEqual(
          stored.map((event) => event.event),
          events.map((event) => JSON.parse(canonicalJson(event)) as AuditEvent),
        );
        const middle = await store.readFrom(4, 3);
        assert.deepEqual(
          middle.map((event: StoredAuditEvent) => event.seq),
          [4, 5, 6],
        );
      }));

    it("an empty batch appends nothing and names the head", () =>
      withStore(async ({ store }) => {
        await appendAll(store, contractEvents().slice(0, 2));
        const head = await store.head();
        const range = await store.appendBatch([]);
        assert.deepEqual(range, { firstSeq: head.seq + 1, lastSeq: head.seq, hash: head.hash });
        assert.deepEqual(await store.head(), head);
      }));

    it("answers every filter, order and page as AuditQuery documents", () =>
      withStore(async ({ store }) => {
        const events = contractEvents();
        await appendAll(store, events);
        for (const query of queries) {
          const expected = referenceQuery(events, query);
          const label = JSON.stringify(query);
          const one = await store.query({ ...query, limit: MAX_QUERY_LIMIT });
          assert.deepEqual(
            one.events.map((event) => event.seq),
            expected,
            `${label} in one page`,
          );
          assert.equal(one.nextAfter, undefined, `${label}: a page that is not full has no nextAfter`);
          assert.deepEqual(await allPages(store, query, 2), expected, `${label} two at a time`);
        }
      }));

    it("refuses a bad query with a RangeError, a cursor that names no event included", () =>
      withStore(async ({ store }) => {
        await appendAll(store, contractEvents().slice(0, 3));
        await assert.rejects(() => store.query({ limit: 0 }), RangeError);
        await assert.rejects(() => store.query({ limit: MAX_QUERY_LIMIT + 1 }), RangeError);
        await assert.rejects(() => store.query({ limit: 5, after: 999 }), RangeError);
      }));

    it("verifies a whole chain, and checks an anchor", () =>
      withStore(async ({ store }) => {
        const events = contractEvents();
        await appendAll(store, events);
        const chain = expectedChain(events);
        const verified = await store.verify();
        assert.deepEqual(verified, { ok: true, count: events.length, head: await store.head() });
        const anchor = { seq: 5, hash: chain[4]?.hash ?? "" };
        assert.equal((await store.verify({ anchor })).ok, true);
        const beyond = await store.verify({ anchor: { seq: events.length + 3, hash: GENESIS_HASH } });
        assert.equal(beyond.ok === false && beyond.problem, "truncated");
        const wrong = await store.verify({ anchor: { seq: 5, hash: chain[5]?.hash ?? "" } });
        assert.equal(wrong.ok === false && wrong.problem, "modified");
      }));

    it("verify finds an event edited in the middle", () =>
      withStore(async ({ store, tamper }) => {
        await appendAll(store, contractEvents());
        await tamper.editEvent(6);
        const result = await store.verify();
        assert.equal(result.ok, false);
        assert.equal(!result.ok && result.problem, "modified");
        assert.equal(!result.ok && result.seq, 6);
      }));

    it("verify finds an event removed from the middle", () =>
      withStore(async ({ store, tamper }) => {
        await appendAll(store, contractEvents());
        await tamper.removeEvent(6);
        const result = await store.verify();
        assert.equal(result.ok, false);
        assert.equal(!result.ok && result.problem, "deleted");
        assert.equal(!result.ok && result.seq, 6);
      }));
  });
}
