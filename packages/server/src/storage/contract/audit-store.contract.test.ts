import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import Database from "better-sqlite3";
import type { AuditStore } from "../../audit/port.js";
import { requirePostgres } from "../../testing/postgres.js";
import { auditJournalFileName, JournaledAuditStore } from "../file/journaled-audit-store.js";
import { type AuditDatabases, auditDatabases } from "../postgres/audit/audit-database.test-helper.js";
import { PostgresAuditStore } from "../postgres/audit/postgres-audit-store.js";
import { SqliteAuditStore } from "../sqlite/audit/sqlite-audit-store.js";
import { type AuditStoreHarness, describeAuditStoreContract } from "./audit-store.contract.js";

const editedRequestId = (json: string) => json.replace('"requestID":"req-', '"requestID":"rex-');

function tempFolder(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "coffer-audit-contract-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Closes a store once, whether the test or the cleanup gets there first. */
const closer = (store: AuditStore) => {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= store.close();
    return closing;
  };
};

describeAuditStoreContract("SQLite (a standalone audit.db)", async (): Promise<AuditStoreHarness> => {
  const folder = tempFolder();
  const path = join(folder.dir, "audit.db");
  const store = new SqliteAuditStore(path);
  const close = closer(store);
  const withFile = (change: (db: Database.Database) => void) => {
    const db = new Database(path);
    try {
      change(db);
    } finally {
      db.close();
    }
  };
  return {
    store,
    tamper: {
      async editEvent(seq) {
        withFile((db) => {
          const row = db
            .prepare<[number], { event: string }>("SELECT event FROM audit_events WHERE seq = ?")
            .get(seq);
          db.prepare("UPDATE audit_events SET event = ? WHERE seq = ?").run(
            editedRequestId(row?.event ?? ""),
            seq,
          );
        });
      },
      async removeEvent(seq) {
        withFile((db) => {
          db.prepare("DELETE FROM audit_events WHERE seq = ?").run(seq);
          db.prepare("DELETE FROM audit_event_secrets WHERE seq = ?").run(seq);
        });
      },
    },
    async cleanup() {
      await close();
      folder.remove();
    },
  };
});

describeAuditStoreContract("journal + SQLite index (a data folder)", async (): Promise<AuditStoreHarness> => {
  const folder = tempFolder();
  const store = JournaledAuditStore.openForWriting(folder.dir, { fsyncIntervalMs: 0 });
  const close = closer(store);
  const journal = join(folder.dir, auditJournalFileName);
  /** Rewrites the journal line of `seq` (same length when edited, so the writer's offsets hold). */
  const rewriteLine = (seq: number, change: (line: string) => string | undefined) => {
    const lines = readFileSync(journal, "utf8").split("\n");
    const at = lines.findIndex((line) => line.startsWith(`{"seq":${seq},`));
    if (at < 0) throw new Error(`no journal line for seq ${seq}`);
    const changed = change(lines[at] ?? "");
    if (changed === undefined) lines.splice(at, 1);
    else lines[at] = changed;
    writeFileSync(journal, lines.join("\n"));
  };
  return {
    store,
    tamper: {
      async editEvent(seq) {
        rewriteLine(seq, editedRequestId);
      },
      async removeEvent(seq) {
        rewriteLine(seq, () => undefined);
      },
    },
    async cleanup() {
      await close();
      folder.remove();
    },
  };
});

const { skip } = requirePostgres();
if (skip === false) {
  let databases: AuditDatabases | undefined;
  after(() => databases?.close());
  describeAuditStoreContract("PostgreSQL", async (): Promise<AuditStoreHarness> => {
    databases ??= await auditDatabases();
    const kit = databases.kit;
    const database = await databases.create();
    const store = await PostgresAuditStore.open({ url: database.url });
    const close = closer(store);
    return {
      store,
      tamper: {
        async editEvent(seq) {
          await kit.sql(
            `UPDATE audit_events SET event = replace(event, '"requestID":"req-', '"requestID":"rex-') WHERE seq = $1`,
            [seq],
            database.name,
          );
        },
        async removeEvent(seq) {
          await kit.sql("DELETE FROM audit_events WHERE seq = $1", [seq], database.name);
          await kit.sql("DELETE FROM audit_event_secrets WHERE seq = $1", [seq], database.name);
        },
      },
      async cleanup() {
        await close();
        await database.drop();
      },
    };
  });
}
