import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import {
  type AuditPage,
  type AuditQuery,
  type ChainHead,
  checkAuditQuery,
  type StoredAuditEvent,
} from "../../../audit/audit-query.js";
import { indexFieldsOf, type PreparedAuditRecord } from "../../../audit/audit-record.js";
import { chainHash } from "../../../audit/chain-hash.js";
import type { AuditEvent, AuditOutcome } from "../../../audit/event.js";
import type { AppendedRange, AuditStore } from "../../../audit/port.js";
import {
  type ChainRow,
  type VerifyOptions,
  type VerifyResult,
  verifyChain,
} from "../../../audit/verify-chain.js";
import { checkAuditSchema, migrateAudit } from "./audit-migrations.js";
import { auditQuerySql } from "./audit-query-sql.js";

export const auditDatabaseFileName = "audit.db";

export interface SqliteAuditStoreOptions {
  /**
   * `full` (default): every commit is fsynced before it is acknowledged, so it survives power loss
   * as well as kill -9. `normal`: in WAL mode, commits survive kill -9 but the last ones may be
   * lost on power loss; for measurements, not for production.
   */
  synchronous?: "full" | "normal" | undefined;
  /** How long a commit waits for another process's write lock (blocking). Default 1000 ms. */
  busyTimeoutMs?: number | undefined;
  /** Open an existing trail to read, query and verify only (e.g. from the CLI). */
  readOnly?: boolean | undefined;
  /**
   * Reads the events of rows that point into the journal (`journal_offset`) instead of holding a
   * copy; without it such rows cannot be read. See {@link JournalEventReader}.
   */
  journalEvents?: JournalEventReader | undefined;
}

/** Where an index row says its event's journal line starts, and the seq and hash it must carry. */
export interface JournalEventRef {
  seq: number;
  hash: string;
  offset: number;
}

/**
 * The event JSON of each reference, read from the journal; undefined where the journal no longer
 * holds that line (its seq or hash differ: the journal was cut or replaced).
 */
export type JournalEventReader = (refs: readonly JournalEventRef[]) => Array<string | undefined>;

/** The index points at events the journal no longer holds (it was cut or replaced since). */
export class AuditIndexMismatchError extends Error {
  constructor(ref: JournalEventRef) {
    super(
      `audit.log no longer holds event ${ref.seq}, which audit.db indexes at byte ${ref.offset}: the journal was cut or replaced. Run \`coffer audit verify\`; the server reports the gap when it starts.`,
    );
    this.name = "AuditIndexMismatchError";
  }
}

interface EventRow {
  seq: number;
  prev_hash: string;
  hash: string;
  /** The event JSON, or null when the row points into the journal instead. */
  event: string | null;
  journal_offset: number | null;
}

interface VerifyRow extends EventRow {
  event_time: number;
  event_name: string;
  principal_arn: string;
  access_key_id: string;
  outcome: AuditOutcome;
}

const VERIFY_PAGE = 1000;
const ROWS_PER_INSERT = 32;
const SECRET_ROWS_PER_INSERT = 64;
const EVENT_COLUMNS = [
  "seq",
  "prev_hash",
  "hash",
  "event",
  "journal_offset",
  "event_time",
  "event_name",
  "principal_arn",
  "access_key_id",
  "outcome",
] as const;
const SECRET_COLUMNS = ["secret", "event_time", "seq"] as const;

/**
 * The audit trail in its own SQLite file (`audit.db` in the data folder), separate from the secrets
 * so its write rate and retention never touch them. WAL mode; one transaction per batch; the
 * chain head is read and advanced inside that transaction (BEGIN IMMEDIATE), so processes sharing
 * the file extend one chain.
 */
export class SqliteAuditStore implements AuditStore {
  private readonly db: Database.Database;
  private readonly statements;
  private readonly queries = new Map<string, Database.Statement<unknown[], EventRow>>();
  private readonly appendTransaction;
  private readonly eventInserts = new Map<number, Database.Statement>();
  private readonly secretInserts = new Map<number, Database.Statement>();

  /** The trail of a data folder: `<home>/audit.db`. */
  static inDataFolder(home: string, options?: SqliteAuditStoreOptions): SqliteAuditStore {
    return new SqliteAuditStore(join(home, auditDatabaseFileName), options);
  }

  constructor(
    readonly path: string,
    private readonly options: SqliteAuditStoreOptions = {},
  ) {
    const busyTimeoutMs = options.busyTimeoutMs ?? 1000;
    if (options.readOnly === true) {
      if (!existsSync(path)) throw new Error(`There is no audit trail at ${path}.`);
      this.db = new Database(path, { readonly: true, fileMustExist: true });
      this.db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
      checkAuditSchema(this.db);
    } else {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // Created owner-only before SQLite opens it; SQLite gives the -wal and -shm files the same mode.
      closeSync(openSync(path, "a", 0o600));
      this.db = new Database(path);
      this.db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
      this.db.pragma("journal_mode = WAL");
      this.db.pragma(`synchronous = ${options.synchronous === "normal" ? "NORMAL" : "FULL"}`);
      migrateAudit(this.db);
    }
    this.statements = this.prepare();
    this.appendTransaction = this.db.transaction((records: readonly PreparedAuditRecord[]) =>
      this.appendInTransaction(records),
    );
  }

  private prepare() {
    const db = this.db;
    const readOnly = this.options.readOnly === true;
    return {
      head: db.prepare<[], ChainHead>("SELECT seq, hash FROM chain_head WHERE id = 1"),
      eventTimeOf: db.prepare<[number], number>("SELECT event_time FROM audit_events WHERE seq = ?").pluck(),
      readFrom: db.prepare<[number, number], EventRow>(
        "SELECT seq, prev_hash, hash, event, journal_offset FROM audit_events WHERE seq >= ? ORDER BY seq LIMIT ?",
      ),
      advanceHead: readOnly
        ? undefined
        : db.prepare("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1 AND seq = ?"),
    };
  }

  /** `INSERT … VALUES (…), (…)` for `rows` rows: one native call for many rows is ~35% cheaper. */
  private multiRowInsert(
    cache: Map<number, Database.Statement>,
    table: string,
    columns: readonly string[],
    rows: number,
  ): Database.Statement {
    let statement = cache.get(rows);
    if (statement === undefined) {
      const tuple = `(${columns.map(() => "?").join(", ")})`;
      statement = this.db.prepare(
        `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${Array.from({ length: rows }, () => tuple).join(", ")}`,
      );
      cache.set(rows, statement);
    }
    return statement;
  }

  private appendInTransaction(records: readonly PreparedAuditRecord[]): AppendedRange {
    const { advanceHead } = this.statements;
    if (advanceHead === undefined) throw new Error("This audit store was opened read-only.");
    const head = this.readHead();
    let seq = head.seq;
    let hash = head.hash;
    for (let start = 0; start < records.length; start += ROWS_PER_INSERT) {
      const chunk = records.slice(start, start + ROWS_PER_INSERT);
      const eventValues: Array<string | number | null> = [];
      const secretValues: Array<string | number> = [];
      for (const record of chunk) {
        const { json } = record;
        const index = indexFieldsOf(record);
        const next = chainHash(hash, json);
        seq++;
        eventValues.push(
          seq,
          hash,
          next,
          // An event read from the journal is not copied: the row keeps where its line starts.
          record.journalOffset === undefined ? json : null,
          record.journalOffset ?? null,
          index.eventTime,
          index.eventName,
          index.principalArn,
          index.accessKeyId,
          index.outcome,
        );
        // An event's secret keys are distinct (auditIndexFields dedupes them): no conflict possible.
        for (const secret of index.secrets) secretValues.push(secret, index.eventTime, seq);
        hash = next;
      }
      this.multiRowInsert(this.eventInserts, "audit_events", EVENT_COLUMNS, chunk.length).run(eventValues);
      const secretColumns = SECRET_COLUMNS.length;
      for (let at = 0; at < secretValues.length; at += SECRET_ROWS_PER_INSERT * secretColumns) {
        const part = secretValues.slice(at, at + SECRET_ROWS_PER_INSERT * secretColumns);
        this.multiRowInsert(
          this.secretInserts,
          "audit_event_secrets",
          SECRET_COLUMNS,
          part.length / secretColumns,
        ).run(part);
      }
    }
    if (advanceHead.run(seq, hash, head.seq).changes !== 1) {
      throw new Error("The audit chain head moved during a write.");
    }
    return { firstSeq: head.seq + 1, lastSeq: seq, hash };
  }

  private readHead(): ChainHead {
    const head = this.statements.head.get();
    if (head === undefined) {
      throw new Error("The audit chain head is missing: the audit database was altered. Run verify.");
    }
    return head;
  }

  /**
   * Appends what `missingFrom(head + 1)` returns, reading the head under the write lock: several
   * processes can bring one index up to date from the same source without appending an event twice.
   * Returns how many events were appended.
   */
  appendMissing(missingFrom: (fromSeq: number) => readonly PreparedAuditRecord[]): number {
    return this.db
      .transaction(() => {
        const records = missingFrom(this.readHead().seq + 1);
        if (records.length > 0) this.appendInTransaction(records);
        return records.length;
      })
      .immediate();
  }

  async appendBatch(records: readonly PreparedAuditRecord[]): Promise<AppendedRange> {
    if (records.length === 0) {
      const head = this.readHead();
      return { firstSeq: head.seq + 1, lastSeq: head.seq, hash: head.hash };
    }
    return this.appendTransaction.immediate(records);
  }

  async readFrom(fromSeq: number, limit: number): Promise<StoredAuditEvent[]> {
    return this.toStored(this.statements.readFrom.all(fromSeq, limit));
  }

  async query(query: AuditQuery): Promise<AuditPage> {
    const { sql, params } = this.querySql(query);
    let statement = this.queries.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare<unknown[], EventRow>(sql);
      this.queries.set(sql, statement);
    }
    const events = this.toStored(statement.all(...params));
    return {
      events,
      nextAfter: events.length === query.limit ? events[events.length - 1]?.seq : undefined,
    };
  }

  /** SQLite's plan for a query (EXPLAIN QUERY PLAN details), to check that indexes serve it. */
  explainQuery(query: AuditQuery): string[] {
    const { sql, params } = this.querySql(query);
    return this.db
      .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
      .all(...params)
      .map((row) => row.detail);
  }

  private querySql(query: AuditQuery) {
    checkAuditQuery(query);
    let cursorTime: number | undefined;
    if (query.after !== undefined) {
      cursorTime = this.statements.eventTimeOf.get(query.after);
      if (cursorTime === undefined) throw new RangeError(`after names no stored event (seq ${query.after})`);
    }
    return auditQuerySql(query, cursorTime);
  }

  async head(): Promise<ChainHead> {
    return this.readHead();
  }

  /**
   * Verifies from a second, read-only connection holding one snapshot for the whole walk, so
   * appends continue meanwhile; the walk yields to the event loop between pages.
   */
  async verify(options?: VerifyOptions): Promise<VerifyResult> {
    const reader = new Database(this.path, { readonly: true, fileMustExist: true });
    try {
      reader.pragma(`busy_timeout = ${Math.trunc(this.options.busyTimeoutMs ?? 1000)}`);
      reader.exec("BEGIN");
      const head = reader.prepare<[], ChainHead>("SELECT seq, hash FROM chain_head WHERE id = 1").get();
      const page = reader.prepare<[number, number], VerifyRow>(
        `SELECT seq, prev_hash, hash, event, journal_offset, event_time, event_name, principal_arn, access_key_id, outcome
         FROM audit_events WHERE seq > ? ORDER BY seq, rowid LIMIT ?`,
      );
      const sameSeq = reader.prepare<[number], VerifyRow>(
        `SELECT seq, prev_hash, hash, event, journal_offset, event_time, event_name, principal_arn, access_key_id, outcome
         FROM audit_events WHERE seq = ? ORDER BY rowid`,
      );
      const seqOfHash = reader
        .prepare<[string], number | null>("SELECT MIN(seq) FROM audit_events WHERE hash = ?")
        .pluck();
      const firstLinkTo = reader
        .prepare<[string, number], number | null>(
          "SELECT MIN(seq) FROM audit_events WHERE prev_hash = ? AND seq > ?",
        )
        .pluck();
      const eventsOf = (batch: VerifyRow[]) => this.eventsOf(batch);
      async function* rows(): AsyncGenerator<ChainRow> {
        let after = Number.MIN_SAFE_INTEGER;
        for (;;) {
          const batch = page.all(after, VERIFY_PAGE);
          const full = batch.length === VERIFY_PAGE;
          const last = batch.at(-1);
          if (full && last !== undefined) {
            // A page may end inside a run of duplicate seqs: take the whole run.
            while (batch.at(-1)?.seq === last.seq) batch.pop();
            batch.push(...sameSeq.all(last.seq));
          }
          // A row whose journal line is gone gets no JSON: the walk reports it as modified.
          const events = eventsOf(batch);
          for (const [i, row] of batch.entries()) yield toChainRow(row, events[i] ?? "");
          if (!full || last === undefined) return;
          after = last.seq;
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      return await verifyChain(
        {
          head,
          rows: rows(),
          seqOfHash: (hash) => seqOfHash.get(hash) ?? undefined,
          firstLinkTo: (prevHash, afterSeq) => firstLinkTo.get(prevHash, afterSeq) ?? undefined,
        },
        options,
      );
    } finally {
      reader.close();
    }
  }

  /** The event JSON of each row: its own copy, or its line in the journal (undefined if gone). */
  private eventsOf(rows: readonly EventRow[]): Array<string | undefined> {
    const refs: JournalEventRef[] = [];
    for (const row of rows) {
      if (row.event === null && row.journal_offset !== null) {
        refs.push({ seq: row.seq, hash: row.hash, offset: row.journal_offset });
      }
    }
    if (refs.length === 0) return rows.map((row) => row.event ?? undefined);
    const { journalEvents } = this.options;
    if (journalEvents === undefined) {
      throw new Error(`${this.path} points into an audit journal for its events; open it with the journal.`);
    }
    const fromJournal = journalEvents(refs);
    let next = 0;
    return rows.map((row) => {
      if (row.event !== null) return row.event;
      return row.journal_offset === null ? undefined : fromJournal[next++];
    });
  }

  private toStored(rows: readonly EventRow[]): StoredAuditEvent[] {
    const events = this.eventsOf(rows);
    return rows.map((row, i) => {
      const json = events[i];
      if (json === undefined) {
        throw new AuditIndexMismatchError({ seq: row.seq, hash: row.hash, offset: row.journal_offset ?? -1 });
      }
      return { seq: row.seq, prevHash: row.prev_hash, hash: row.hash, event: JSON.parse(json) as AuditEvent };
    });
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    if (this.options.readOnly !== true) this.db.pragma("optimize");
    this.db.close();
  }
}

function toChainRow(row: VerifyRow, json: string): ChainRow {
  return {
    seq: row.seq,
    prevHash: row.prev_hash,
    hash: row.hash,
    json,
    indexed: {
      eventTime: row.event_time,
      eventName: row.event_name,
      principalArn: row.principal_arn,
      accessKeyId: row.access_key_id,
      outcome: row.outcome,
    },
  };
}
