import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { prepareAuditRecord } from "../../../audit/audit-record.js";
import { requirePostgres } from "../../../testing/postgres.js";
import { sampleEvent } from "../../sqlite/audit/fixtures.test-helper.js";
import { type AuditDatabases, auditDatabases } from "./audit-database.test-helper.js";
import { PostgresAuditStore } from "./postgres-audit-store.js";

const { skip } = requirePostgres();
const NODES = 3;
const BATCHES = 200;

describe("several nodes writing one audit trail in PostgreSQL", { skip }, () => {
  let databases: AuditDatabases;
  before(async () => {
    databases = await auditDatabases();
  });
  after(() => databases.close());

  it("keeps every event exactly once in one gapless chain that verifies", async () => {
    const database = await databases.create();
    // Separate pools: separate "nodes", opened at once (the schema is created once, under a lock).
    const nodes = await Promise.all(
      Array.from({ length: NODES }, () => PostgresAuditStore.open({ url: database.url })),
    );
    try {
      const ranges: Array<Array<{ firstSeq: number; lastSeq: number }>> = nodes.map(() => []);
      let expected = 0;
      const sizes = (node: number, batch: number) => 1 + ((node * 7 + batch) % 4);
      for (let node = 0; node < NODES; node++) for (let b = 0; b < BATCHES; b++) expected += sizes(node, b);
      // Each node writes one batch at a time, as AuditLog does; the nodes run concurrently.
      await Promise.all(
        nodes.map(async (store, node) => {
          for (let batch = 0; batch < BATCHES; batch++) {
            const records = Array.from({ length: sizes(node, batch) }, (_, i) =>
              prepareAuditRecord({
                ...sampleEvent(node * 10_000 + batch * 10 + i),
                eventID: `node-${node}-batch-${batch}-event-${i}`,
              }),
            );
            const range = await store.appendBatch(records);
            assert.equal(range.lastSeq - range.firstSeq + 1, records.length);
            ranges[node]?.push(range);
          }
        }),
      );

      const head = await nodes[0]?.head();
      assert.equal(head?.seq, expected);
      const events = await nodes[0]?.readFrom(1, expected + 10);
      assert.deepEqual(
        events?.map((event) => event.seq),
        Array.from({ length: expected }, (_, i) => i + 1),
        "seq is gapless from 1",
      );
      const ids = events?.map((event) => event.event.eventID) ?? [];
      assert.equal(new Set(ids).size, expected, "every event is stored exactly once");
      for (let node = 0; node < NODES; node++) {
        for (let batch = 0; batch < BATCHES; batch++) {
          assert.ok(ids.includes(`node-${node}-batch-${batch}-event-0`));
        }
      }
      // Each node's batch is one contiguous range, and the nodes' ranges interleave (they contended).
      const owner = new Map<number, number>();
      for (const [node, list] of ranges.entries()) {
        for (const range of list)
          for (let seq = range.firstSeq; seq <= range.lastSeq; seq++) owner.set(seq, node);
      }
      assert.equal(owner.size, expected, "the nodes' ranges cover the chain without overlap");
      let switches = 0;
      for (let seq = 2; seq <= expected; seq++) if (owner.get(seq) !== owner.get(seq - 1)) switches++;
      assert.ok(switches > NODES, `the nodes' appends interleaved (${switches} switches)`);

      // Verified by every node, each against the head it last wrote as its anchor.
      for (const store of nodes) {
        const verified = await store.verify();
        assert.equal(verified.ok, true, JSON.stringify(verified));
        assert.equal(verified.ok && verified.count, expected);
      }
    } finally {
      await Promise.all(nodes.map((store) => store.close()));
      await database.drop();
    }
  });

  it("a node's own last head anchors verify: a tail cut with the head row is noticed", async () => {
    const database = await databases.create();
    const writer = await PostgresAuditStore.open({ url: database.url });
    const otherNode = await PostgresAuditStore.open({ url: database.url });
    try {
      await writer.appendBatch([1, 2, 3, 4, 5].map((n) => prepareAuditRecord(sampleEvent(n))));
      const kept = (await writer.readFrom(3, 1))[0];
      // Someone with write access removes the last two events and moves the head back to match.
      await databases.kit.sql(
        "DELETE FROM audit_events WHERE seq > 3; UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_events WHERE seq = 3)",
        [],
        database.name,
      );
      assert.equal((await otherNode.head()).hash, kept?.hash);
      assert.equal((await otherNode.verify()).ok, true, "without an anchor the cut tail is invisible");
      const result = await writer.verify();
      assert.equal(result.ok === false && result.problem, "truncated");
    } finally {
      await writer.close();
      await otherNode.close();
      await database.drop();
    }
  });
});
