import pg from "pg";
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
import { databaseKey, guarded } from "../unresponsive.js";
import { auditQuerySql } from "./audit-query-sql.js";
import { checkPostgresAuditSchema, migratePostgresAudit } from "./audit-schema.js";
import { withDeadline } from "./deadline.js";
import { fromIndexText, toIndexText } from "./index-text.js";

export interface PostgresAuditStoreOptions {
  /** A connection URL (`postgres://user:password@host:5432/db`): the store opens and owns a pool. */
  url?: string | undefined;
  /** An existing pool to share (the server's): the store borrows clients and never ends it. */
  pool?: pg.Pool | undefined;
  /** Read, query and verify an existing trail only (the CLI): creates and migrates nothing. */
  readOnly?: boolean | undefined;
  /**
   * The most a call may take, connecting included, before it rejects and its connection is
   * dropped; also the server-side statement_timeout of each statement. Default 5000 ms.
   */
  timeoutMs?: number | undefined;
  /** Connecting longer fails the call (default: `timeoutMs`). */
  connectTimeoutMs?: number | undefined;
  /** The most connections of a pool the store opens itself. Default 4. */
  maxConnections?: number | undefined;
}

interface EventRow {
  seq: string;
  prev_hash: string;
  hash: string;
  event: string;
}

interface VerifyRow extends EventRow {
  event_time: string;
  event_name: string;
  principal_arn: string;
  access_key_id: string;
  outcome: AuditOutcome;
}

const VERIFY_PAGE = 1000;
const VERIFY_COLUMNS =
  "seq, prev_hash, hash, event, event_time, event_name, principal_arn, access_key_id, outcome";

/**
 * The write of one batch, once its hashes are computed under the head's lock: the events, the
 * secrets they name, and the head advanced, as one statement (one round trip while the lock is held).
 * The head only moves from the seq read under the lock; anything else is a bug, and fails the batch.
 */
const appendStatement = `
  WITH events AS (
    INSERT INTO audit_events (seq, prev_hash, hash, event, event_time, event_name, principal_arn, access_key_id, outcome)
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[])
  ), secrets AS (
    INSERT INTO audit_event_secrets (secret, event_time, seq)
    SELECT * FROM unnest($10::text[], $11::bigint[], $12::bigint[])
  )
  UPDATE audit_head SET seq = $13, hash = $14 WHERE id = 1 AND seq = $15`;

/** A borrowed client, released exactly once (by its work, or by the deadline, which destroys it). */
class Lease {
  private released = false;
  private readonly ignoreErrors = () => {};
  constructor(readonly client: pg.PoolClient) {
    // A connection lost between statements is reported as an event; the next statement fails anyway.
    client.on("error", this.ignoreErrors);
  }
  release(destroy?: Error): void {
    if (this.released) return;
    this.released = true;
    this.client.off("error", this.ignoreErrors);
    this.client.release(destroy);
  }
}

/**
 * The audit trail in PostgreSQL, shared by every Coffer node on the database as ONE hash chain
 * (docs/adr/0010). An append is one transaction that locks the chain head row (`FOR UPDATE`),
 * computes seq/prevHash/hash from it with the same code as every engine (chain-hash.ts over the
 * canonical JSON line), inserts the events and advances the head: nodes' appends are serialized
 * there, and the answer comes only after COMMIT, durable (`synchronous_commit` is forced on for
 * the transaction if the session has it off).
 */
export class PostgresAuditStore implements AuditStore {
  private closed = false;
  /** The newest head this process committed: a local anchor that `verify` checks by default. */
  private committed: ChainHead | undefined;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly ownsPool: boolean,
    private readonly readOnly: boolean,
    private readonly timeoutMs: number,
    /** The server, when opened by URL: its known silence fails calls at once (unresponsive.ts). */
    private readonly databaseKey: string | undefined,
  ) {}

  /** Opens (and, for writing, creates or upgrades) the trail; several nodes may do so at once. */
  static async open(options: PostgresAuditStoreOptions): Promise<PostgresAuditStore> {
    const timeoutMs = options.timeoutMs ?? 5000;
    if (!(Number.isInteger(timeoutMs) && timeoutMs > 0))
      throw new RangeError("timeoutMs must be a positive integer");
    if ((options.url === undefined) === (options.pool === undefined)) {
      throw new TypeError("Give the audit store either a url or a pool.");
    }
    let pool = options.pool;
    const ownsPool = pool === undefined;
    if (pool === undefined) {
      pool = new pg.Pool({
        connectionString: options.url,
        max: options.maxConnections ?? 4,
        connectionTimeoutMillis: Math.min(options.connectTimeoutMs ?? timeoutMs, timeoutMs),
        statement_timeout: timeoutMs,
        query_timeout: timeoutMs + 1000,
        idle_in_transaction_session_timeout: timeoutMs * 2,
        application_name: "coffer-audit",
      });
      // An idle connection that breaks is reported here; the next call reconnects or fails.
      pool.on("error", () => {});
    }
    const key = options.url === undefined ? undefined : databaseKey(options.url);
    const store = new PostgresAuditStore(pool, ownsPool, options.readOnly === true, timeoutMs, key);
    try {
      await store.withClient("opening the audit trail", async (client) => {
        const encoding = await client.query<{ server_encoding: string }>("SHOW server_encoding");
        if (encoding.rows[0]?.server_encoding !== "UTF8") {
          // The hash covers the event's UTF-8 bytes; another encoding could not store every event as sent.
          throw new Error("The audit database must use the UTF8 encoding.");
        }
        if (store.readOnly) await checkPostgresAuditSchema(client);
        else await migratePostgresAudit(client);
      });
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  /**
   * Runs `work` with a pooled client, within the store's time bound: past it the call rejects and
   * the connection is destroyed (which aborts an uncommitted transaction on the server).
   */
  private async withClient<T>(what: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error("The audit store is closed.");
    let lease: Lease | undefined;
    let abandoned = false;
    const run = async () => {
      const client = await this.pool.connect();
      const current = new Lease(client);
      if (abandoned) {
        current.release(new Error("abandoned after its deadline"));
        throw new Error("abandoned after its deadline");
      }
      lease = current;
      try {
        const result = await work(client);
        current.release();
        return result;
      } catch (error) {
        // Whatever state the session is in (an aborted transaction, a lost socket), it is not reused.
        current.release(error instanceof Error ? error : new Error(String(error)));
        throw error;
      }
    };
    const bounded = () =>
      withDeadline(run(), this.timeoutMs, what, () => {
        abandoned = true;
        lease?.release(new Error("timed out"));
      });
    return this.databaseKey === undefined ? bounded() : guarded(this.databaseKey, bounded);
  }

  async appendBatch(records: readonly PreparedAuditRecord[]): Promise<AppendedRange> {
    if (this.readOnly) throw new Error("This audit trail was opened for reading.");
    if (records.length === 0) {
      const head = await this.head();
      return { firstSeq: head.seq + 1, lastSeq: head.seq, hash: head.hash };
    }
    const range = await this.withClient("an audit append", async (client) => {
      try {
        return await this.appendInTransaction(client, records);
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      }
    });
    if (this.committed === undefined || range.lastSeq > this.committed.seq) {
      this.committed = { seq: range.lastSeq, hash: range.hash };
    }
    return range;
  }

  private async appendInTransaction(
    client: pg.PoolClient,
    records: readonly PreparedAuditRecord[],
  ): Promise<AppendedRange> {
    // One round trip: begin, bound every statement (also on a shared pool), make the commit durable
    // whatever the session's default, and take the chain head's lock.
    const results = (await client.query(
      `BEGIN; SET LOCAL statement_timeout = ${this.timeoutMs}; SELECT set_config('synchronous_commit', 'on', true) WHERE current_setting('synchronous_commit') = 'off'; SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE`,
    )) as unknown as pg.QueryResult<{ seq: string; hash: string }>[];
    const headRow = results.at(-1)?.rows[0];
    if (headRow === undefined) {
      throw new Error("The audit chain head is missing: the audit database was altered. Run verify.");
    }
    const firstSeq = Number(headRow.seq) + 1;
    let seq = firstSeq - 1;
    let hash = headRow.hash;
    const columns: Array<Array<string | number>> = Array.from({ length: 9 }, () => []);
    const [seqs, prevHashes, hashes, events, times, names, principals, accessKeys, outcomes] = columns as [
      number[],
      string[],
      string[],
      string[],
      number[],
      string[],
      string[],
      string[],
      string[],
    ];
    const secretNames: string[] = [];
    const secretTimes: number[] = [];
    const secretSeqs: number[] = [];
    for (const record of records) {
      const index = indexFieldsOf(record);
      const next = chainHash(hash, record.json);
      seq++;
      seqs.push(seq);
      prevHashes.push(hash);
      hashes.push(next);
      events.push(record.json);
      times.push(index.eventTime);
      names.push(toIndexText(index.eventName));
      principals.push(toIndexText(index.principalArn));
      accessKeys.push(toIndexText(index.accessKeyId));
      outcomes.push(index.outcome);
      for (const secret of index.secrets) {
        secretNames.push(toIndexText(secret));
        secretTimes.push(index.eventTime);
        secretSeqs.push(seq);
      }
      hash = next;
    }
    const written = await client.query(appendStatement, [
      ...columns,
      secretNames,
      secretTimes,
      secretSeqs,
      seq,
      hash,
      firstSeq - 1,
    ]);
    if (written.rowCount !== 1) throw new Error("The audit chain head moved during a write.");
    await client.query("COMMIT");
    return { firstSeq, lastSeq: seq, hash };
  }

  async readFrom(fromSeq: number, limit: number): Promise<StoredAuditEvent[]> {
    return this.withClient("a read of the audit trail", async (client) => {
      const result = await client.query<EventRow>(
        "SELECT seq, prev_hash, hash, event FROM audit_events WHERE seq >= $1 ORDER BY seq LIMIT $2",
        [fromSeq, limit],
      );
      return result.rows.map(toStored);
    });
  }

  async query(query: AuditQuery): Promise<AuditPage> {
    checkAuditQuery(query);
    const indexed: AuditQuery =
      query.secretId === undefined && query.principal === undefined && query.action === undefined
        ? query
        : {
            ...query,
            secretId: query.secretId === undefined ? undefined : toIndexText(query.secretId),
            principal: query.principal === undefined ? undefined : toIndexText(query.principal),
            action: query.action === undefined ? undefined : toIndexText(query.action),
          };
    return this.withClient("an audit query", async (client) => {
      let cursorTime: number | undefined;
      if (query.after !== undefined) {
        const found = await client.query<{ event_time: string }>(
          "SELECT event_time FROM audit_events WHERE seq = $1",
          [query.after],
        );
        const row = found.rows[0];
        if (row === undefined) throw new RangeError(`after names no stored event (seq ${query.after})`);
        cursorTime = Number(row.event_time);
      }
      const { sql, params } = auditQuerySql(indexed, cursorTime);
      const events = (await client.query<EventRow>(sql, params)).rows.map(toStored);
      return {
        events,
        nextAfter: events.length === query.limit ? events[events.length - 1]?.seq : undefined,
      };
    });
  }

  /** PostgreSQL's plan for a query (EXPLAIN lines), to check that indexes serve it. */
  async explainQuery(query: AuditQuery, cursorTime?: number): Promise<string[]> {
    checkAuditQuery(query);
    const { sql, params } = auditQuerySql(query, cursorTime);
    return this.withClient("an audit query plan", async (client) => {
      const result = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN ${sql}`, params);
      return result.rows.map((row) => row["QUERY PLAN"]);
    });
  }

  async head(): Promise<ChainHead> {
    return this.withClient("a read of the audit chain head", async (client) => {
      const result = await client.query<{ seq: string; hash: string }>(
        "SELECT seq, hash FROM audit_head WHERE id = 1",
      );
      const row = result.rows[0];
      if (row === undefined) {
        throw new Error("The audit chain head is missing: the audit database was altered. Run verify.");
      }
      return { seq: Number(row.seq), hash: row.hash };
    });
  }

  /** The newest head this process appended (undefined before its first append). */
  lastCommittedHead(): ChainHead | undefined {
    return this.committed === undefined ? undefined : { ...this.committed };
  }

  /**
   * Walks the whole chain from ONE snapshot (REPEATABLE READ, read only) in pages, while the nodes
   * keep appending. Without an `anchor`, the newest head this process appended is the anchor: a
   * tail cut from the table and the head row together is still noticed by the node that wrote it.
   * Bounded per statement, not as a whole: a long trail takes as long as it takes.
   */
  async verify(options: VerifyOptions = {}): Promise<VerifyResult> {
    if (this.closed) throw new Error("The audit store is closed.");
    const anchor = options.anchor ?? this.lastCommittedHead();
    const connecting = this.pool.connect();
    const client = await withDeadline(connecting, this.timeoutMs, "a connection for verify", () => {
      // A connection that comes too late is not kept.
      connecting.then(
        (late) => late.release(new Error("abandoned after its deadline")),
        () => {},
      );
    });
    const lease = new Lease(client);
    try {
      await client.query(
        `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL statement_timeout = ${this.timeoutMs}`,
      );
      const headRow = (
        await client.query<{ seq: string; hash: string }>("SELECT seq, hash FROM audit_head WHERE id = 1")
      ).rows[0];
      const head = headRow === undefined ? undefined : { seq: Number(headRow.seq), hash: headRow.hash };
      const page = (after: number) =>
        client.query<VerifyRow>(
          `SELECT ${VERIFY_COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq, ctid LIMIT $2`,
          [after, VERIFY_PAGE],
        );
      const sameSeq = (seq: number) =>
        client.query<VerifyRow>(`SELECT ${VERIFY_COLUMNS} FROM audit_events WHERE seq = $1 ORDER BY ctid`, [
          seq,
        ]);
      async function* rows(): AsyncGenerator<ChainRow> {
        let after = Number.MIN_SAFE_INTEGER;
        for (;;) {
          const batch = (await page(after)).rows;
          const full = batch.length === VERIFY_PAGE;
          const last = batch.at(-1);
          if (full && last !== undefined) {
            // Rows sharing a seq exist only if someone dropped the primary key: take the whole run.
            while (batch.at(-1)?.seq === last.seq) batch.pop();
            batch.push(...(await sameSeq(Number(last.seq))).rows);
          }
          for (const row of batch) yield toChainRow(row);
          if (!full || last === undefined) return;
          after = Number(last.seq);
        }
      }
      const minSeq = async (sql: string, params: unknown[]) => {
        const value = (await client.query<{ seq: string | null }>(sql, params)).rows[0]?.seq;
        return value === null || value === undefined ? undefined : Number(value);
      };
      const result = await verifyChain(
        {
          head,
          rows: rows(),
          seqOfHash: (hash) => minSeq("SELECT MIN(seq) AS seq FROM audit_events WHERE hash = $1", [hash]),
          firstLinkTo: (prevHash, afterSeq) =>
            minSeq("SELECT MIN(seq) AS seq FROM audit_events WHERE prev_hash = $1 AND seq > $2", [
              prevHash,
              afterSeq,
            ]),
        },
        { ...options, anchor },
      );
      await client.query("COMMIT");
      lease.release();
      return result;
    } catch (error) {
      lease.release(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  }

  /** Ends the pool if the store opened it; a shared pool stays its owner's to end. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsPool) await this.pool.end();
  }
}

function toStored(row: EventRow): StoredAuditEvent {
  return {
    seq: Number(row.seq),
    prevHash: row.prev_hash,
    hash: row.hash,
    event: JSON.parse(row.event) as AuditEvent,
  };
}

function toChainRow(row: VerifyRow): ChainRow {
  return {
    seq: Number(row.seq),
    prevHash: row.prev_hash,
    hash: row.hash,
    json: row.event,
    indexed: {
      eventTime: Number(row.event_time),
      eventName: fromIndexText(row.event_name),
      principalArn: fromIndexText(row.principal_arn),
      accessKeyId: fromIndexText(row.access_key_id),
      outcome: row.outcome,
    },
  };
}
