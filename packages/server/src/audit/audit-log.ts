/**
 * The audit trail as the server uses it: `append` one event per API call, fail-closed and
 * group-committed.
 *
 * Events appended during one event-loop turn are written by the next `setImmediate` as ONE
 * transaction (one fsync), and every append's promise settles only after that transaction:
 * resolved once committed, rejected with {@link AuditWriteError} if it failed, so the caller can
 * refuse to answer a request it could not audit.
 */
import type { Writable } from "node:stream";
import type { AuditFilter, AuditPage, AuditQuery, ChainHead, StoredAuditEvent } from "./audit-query.js";
import { type PreparedAuditRecord, prepareAuditRecord } from "./audit-record.js";
import { AuditWriteError } from "./audit-write-error.js";
import type { AuditEvent } from "./event.js";
import { type ExportOptions, exportJsonLines } from "./export-json-lines.js";
import type { AppendedRange, AuditStore } from "./port.js";
import { type AuditTail, type TailOptions, tailAudit } from "./tail.js";
import type { VerifyOptions, VerifyResult } from "./verify-chain.js";

export interface AuditLogOptions {
  /** The most events one transaction takes; a busier turn is written as several. Default 4096. */
  maxBatch?: number | undefined;
  /** Told after every committed transaction (for metrics); must not throw. */
  onCommit?: ((info: AuditCommitInfo) => void) | undefined;
}

export interface AuditCommitInfo {
  events: number;
  firstSeq: number;
  lastSeq: number;
  durationMs: number;
}

export interface AuditLogStats {
  committedEvents: number;
  transactions: number;
  failedTransactions: number;
  failedEvents: number;
  largestBatch: number;
}

interface Waiter {
  record: PreparedAuditRecord;
  resolve: () => void;
  reject: (error: AuditWriteError) => void;
}

export class AuditLog {
  private pending: Waiter[] = [];
  private scheduled = false;
  private writing = false;
  private closing: Promise<void> | undefined;
  private readonly maxBatch: number;
  private readonly listeners = new Set<() => void>();
  private readonly tails = new Set<AuditTail>();
  private readonly counters: AuditLogStats = {
    committedEvents: 0,
    transactions: 0,
    failedTransactions: 0,
    failedEvents: 0,
    largestBatch: 0,
  };

  constructor(
    private readonly store: AuditStore,
    private readonly options: AuditLogOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 4096;
    if (!(Number.isInteger(this.maxBatch) && this.maxBatch >= 1))
      throw new RangeError("maxBatch must be ≥ 1");
  }

  /** Resolves once the event is committed durably; rejects with AuditWriteError otherwise. */
  append(event: AuditEvent): Promise<void> {
    if (this.closing !== undefined) {
      return Promise.reject(new AuditWriteError("The audit log is closed; the event was not recorded."));
    }
    let record: PreparedAuditRecord;
    try {
      record = prepareAuditRecord(event);
    } catch (error) {
      return Promise.reject(new AuditWriteError("The audit event cannot be serialized.", { cause: error }));
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ record, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.writing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.writeBatch();
    });
  }

  private async writeBatch(): Promise<void> {
    const batch = this.pending.splice(0, this.maxBatch);
    if (batch.length === 0) return;
    this.writing = true;
    const started = performance.now();
    let range: AppendedRange;
    try {
      range = await this.store.appendBatch(batch.map((waiter) => waiter.record));
    } catch (cause) {
      this.counters.failedTransactions++;
      this.counters.failedEvents += batch.length;
      for (const waiter of batch) {
        waiter.reject(new AuditWriteError("The audit event could not be committed.", { cause }));
      }
      return;
    } finally {
      this.writing = false;
      if (this.pending.length > 0) this.schedule();
    }
    this.counters.transactions++;
    this.counters.committedEvents += batch.length;
    this.counters.largestBatch = Math.max(this.counters.largestBatch, batch.length);
    for (const waiter of batch) waiter.resolve();
    const info = {
      events: batch.length,
      firstSeq: range.firstSeq,
      lastSeq: range.lastSeq,
      durationMs: performance.now() - started,
    };
    for (const observer of [() => this.options.onCommit?.(info), ...this.listeners]) {
      try {
        observer();
      } catch {
        // An observer's failure must not look like a failed commit: the events are stored.
      }
    }
  }

  query(query: AuditQuery): Promise<AuditPage> {
    return this.store.query(query);
  }

  /** Stored events with seq ≥ fromSeq, in seq order (the order they were committed), at most `limit`. */
  readFrom(fromSeq: number, limit: number): Promise<StoredAuditEvent[]> {
    return this.store.readFrom(fromSeq, limit);
  }

  /** Told after every transaction this process commits; returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Streams stored events, then (with `follow`) new ones as they are committed. */
  tail(options: TailOptions): AuditTail {
    const tail = tailAudit(
      {
        readFrom: (fromSeq, limit) => this.store.readFrom(fromSeq, limit),
        head: () => this.store.head(),
        subscribe: (listener) => this.subscribe(listener),
      },
      options,
    );
    this.tails.add(tail);
    void tail.done.catch(() => {}).finally(() => this.tails.delete(tail));
    return tail;
  }

  exportJsonLines(out: Writable, filter?: AuditFilter, options?: ExportOptions): Promise<number> {
    return exportJsonLines(this.store, out, filter, options);
  }

  verify(options?: VerifyOptions): Promise<VerifyResult> {
    return this.store.verify(options);
  }

  head(): Promise<ChainHead> {
    return this.store.head();
  }

  stats(): AuditLogStats {
    return { ...this.counters };
  }

  /** Refuses new events, commits the pending ones, stops the tails, then closes the store. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      while (this.pending.length > 0 || this.writing || this.scheduled) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      await Promise.all([...this.tails].map((tail) => tail.stop()));
      await this.store.close();
    })();
    return this.closing;
  }
}
