import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { AuditLog } from "../../../audit/audit-log.js";
import { prepareAuditRecord } from "../../../audit/audit-record.js";
import { AuditWriteError } from "../../../audit/audit-write-error.js";
import { requirePostgres } from "../../../testing/postgres.js";
import { sampleEvent } from "../../sqlite/audit/fixtures.test-helper.js";
import { type AuditDatabases, auditDatabases } from "./audit-database.test-helper.js";
import { AuditStoreTimeoutError } from "./deadline.js";
import { openAuditStoreForReading } from "./open-for-reading.js";
import { PostgresAuditStore } from "./postgres-audit-store.js";
import { tcpProxy } from "./tcp-proxy.test-helper.js";

const { skip } = requirePostgres();
const TIMEOUT_MS = 1000;
/** Generous against a loaded machine, yet far below "hangs". */
const BOUND_MS = TIMEOUT_MS + 2000;

async function elapsed<T>(work: () => Promise<T>): Promise<{ ms: number; error: unknown }> {
  const started = performance.now();
  try {
    await work();
    return { ms: performance.now() - started, error: undefined };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

/** A port on which nothing listens (bound, then released). */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("the PostgreSQL audit trail when the database fails", { skip }, () => {
  let databases: AuditDatabases;
  before(async () => {
    databases = await auditDatabases();
  });
  after(() => databases.close());

  /** A migrated database reached through a breakable proxy. */
  async function behindProxy() {
    const database = await databases.create();
    const { admin } = databases.kit;
    const proxy = await tcpProxy({ host: admin.host, port: admin.port });
    const url = `postgres://${admin.user}:${admin.password}@127.0.0.1:${proxy.port}/${database.name}`;
    const store = await PostgresAuditStore.open({ url, timeoutMs: TIMEOUT_MS });
    return {
      database,
      proxy,
      store,
      async cleanup() {
        await store.close().catch(() => {});
        await proxy.close();
        await database.drop();
      },
    };
  }

  it("refuses to open, within its bound, when nothing listens", async () => {
    const port = await deadPort();
    const { ms, error } = await elapsed(() =>
      PostgresAuditStore.open({ url: `postgres://nobody:x@127.0.0.1:${port}/none`, timeoutMs: TIMEOUT_MS }),
    );
    assert.ok(error instanceof Error, "open rejects");
    assert.ok(ms < BOUND_MS, `rejected after ${ms.toFixed(0)} ms`);
  });

  it("a hung database: the append rejects within its bound, AuditLog fails closed, then recovers", async () => {
    const { proxy, store, cleanup } = await behindProxy();
    try {
      const log = new AuditLog(store);
      await log.append(sampleEvent(1));
      proxy.setMode("black-hole");
      const hung = await elapsed(() => store.appendBatch([prepareAuditRecord(sampleEvent(2))]));
      assert.ok(hung.error instanceof AuditStoreTimeoutError, String(hung.error));
      assert.ok(hung.ms < BOUND_MS, `rejected after ${hung.ms.toFixed(0)} ms`);
      const refused = await elapsed(() => log.append(sampleEvent(3)));
      assert.ok(refused.error instanceof AuditWriteError, String(refused.error));
      assert.ok(refused.ms < BOUND_MS, `refused after ${refused.ms.toFixed(0)} ms`);
      assert.equal(log.health().ok, false);
      proxy.setMode("forward");
      // The abandoned transactions never committed: the chain goes on from event 1. (For a second
      // after a time-out, calls fail at once without trying the server: storage/postgres/unresponsive.ts.)
      const deadline = Date.now() + 5_000;
      for (;;) {
        try {
          await log.append(sampleEvent(4));
          break;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      assert.equal(log.health().ok, true);
      const stored = await store.readFrom(1, 10);
      assert.deepEqual(
        stored.map((event) => event.event.requestID),
        ["req-1", "req-4"],
      );
      assert.equal((await store.verify()).ok, true);
      await log.close();
    } finally {
      await cleanup();
    }
  });

  it("a database gone away: the append rejects at once", async () => {
    const { proxy, store, cleanup } = await behindProxy();
    try {
      await store.appendBatch([prepareAuditRecord(sampleEvent(1))]);
      proxy.setMode("refuse");
      const gone = await elapsed(() => store.appendBatch([prepareAuditRecord(sampleEvent(2))]));
      assert.ok(gone.error instanceof Error, "the append rejects");
      assert.ok(gone.ms < BOUND_MS, `rejected after ${gone.ms.toFixed(0)} ms`);
      proxy.setMode("forward");
      assert.equal((await store.head()).seq, 1);
    } finally {
      await cleanup();
    }
  });

  it("a batch that fails part-way leaves nothing: one transaction", async () => {
    const database = await databases.create();
    const store = await PostgresAuditStore.open({ url: database.url });
    try {
      await store.appendBatch([prepareAuditRecord(sampleEvent(1))]);
      const before = await store.head();
      await databases.kit.sql(
        `CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN IF NEW.event LIKE '%req-boom%' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$;
         CREATE TRIGGER refuse_boom BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_boom()`,
        [],
        database.name,
      );
      const batch = [sampleEvent(2), sampleEvent(3, { requestId: "req-boom" }), sampleEvent(4)];
      await assert.rejects(() => store.appendBatch(batch.map(prepareAuditRecord)));
      assert.deepEqual(await store.head(), before);
      assert.equal((await store.readFrom(1, 10)).length, 1);
      await store.appendBatch([prepareAuditRecord(sampleEvent(5))]);
      assert.equal((await store.verify()).ok, true);
    } finally {
      await store.close();
      await database.drop();
    }
  });

  it("appends durably even where the database's default is synchronous_commit = off", async () => {
    const database = await databases.create();
    await databases.kit.sql(`ALTER DATABASE ${database.name} SET synchronous_commit = off`);
    const store = await PostgresAuditStore.open({ url: database.url });
    try {
      // The append transaction sets it back on for itself (not observable from outside but in the
      // WAL flush); here: the override is valid SQL and the append works.
      const range = await store.appendBatch([prepareAuditRecord(sampleEvent(1))]);
      assert.equal(range.lastSeq, 1);
    } finally {
      await store.close();
      await database.drop();
    }
  });

  it("shares a pool it is given, and leaves it open when closed", async () => {
    const database = await databases.create();
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    try {
      await assert.rejects(() => PostgresAuditStore.open({ pool, url: database.url }), TypeError);
      const store = await PostgresAuditStore.open({ pool });
      await store.appendBatch([prepareAuditRecord(sampleEvent(1))]);
      await store.close();
      await assert.rejects(() => store.appendBatch([prepareAuditRecord(sampleEvent(2))]), /closed/);
      const rows = await pool.query("SELECT count(*)::int AS n FROM audit_events");
      assert.equal(rows.rows[0]?.n, 1);
    } finally {
      await pool.end();
      await database.drop();
    }
  });

  it("a reader (the CLI) creates nothing, refuses a database without a trail, and cannot append", async () => {
    const database = await databases.create();
    try {
      await assert.rejects(() => openAuditStoreForReading(database.url), /no Coffer audit trail/);
      await assert.rejects(() => openAuditStoreForReading("/var/lib/coffer"), TypeError);
      const writer = await PostgresAuditStore.open({ url: database.url });
      await writer.appendBatch([1, 2, 3].map((n) => prepareAuditRecord(sampleEvent(n))));
      await writer.close();
      const reader = await openAuditStoreForReading(database.url);
      try {
        await assert.rejects(() => reader.appendBatch([prepareAuditRecord(sampleEvent(4))]), /for reading/);
        const verified = await reader.verify();
        assert.equal(verified.ok && verified.count, 3);
        assert.equal((await reader.query({ limit: 10, action: "GetSecretValue" })).events.length, 3);
      } finally {
        await reader.close();
      }
    } finally {
      await database.drop();
    }
  });
});
