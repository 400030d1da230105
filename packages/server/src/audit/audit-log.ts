/**
 * The audit trail as the server uses it: `append` one event per API call, fail-closed and
 * group-committed.
 *
 * Events appended during one event-loop turn are written by the next `setImmediate` as ONE
 * transaction (one fsync), and every append's promise settles only after that transaction:
 * resolved once committed, rejected with {@link AuditWriteError} if it failed, so the caller can
 * refuse to answer a request it could not audit.
 *
 * A failed transaction puts the trail in an outage ({@link AuditLog.health}) that ends by itself:
 * every later append tries the store again, and while nothing is appended a probe retries every
 * `probeIntervalMs`. The first transaction that succeeds begins with an event describing the
 * outage (`outageEvent`: when it began, how many events were refused), so the trail itself says
 * when it could not record anything.
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
  /**
   * The event that records an outage once the trail can be written again. Without it the trail
   * still recovers, but only when an append comes (there is nothing to probe with).
   */
  outageEvent?: ((outage: AuditOutage & { endedAt: number }) => AuditEvent) | undefined;
  /** How often a trail in an outage is retried when nothing is appended. Default 1000 ms. */
  probeIntervalMs?: number | undefined;
}

/** Since when the trail cannot be written, and what that has cost. */
export interface AuditOutage {
  /** Epoch milliseconds of the first failed transaction. */
  since: number;
  /** The store's error code (ENOSPC, EPERM, …) or name, safe to show: never event content. */
  reason: string;
  /** Events refused since then (each one a request that was refused). */
  refusedEvents: number;
}

export type AuditHealth = { ok: true } | ({ ok: false } & AuditOutage);

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

/**
 * Events waiting for one transaction, and the one promise all their appends return: they commit or
 * fail together, so one promise (not one per event, with its executor and resolvers) tells them all.
 */
interface PendingBatch {
  records: PreparedAuditRecord[];
  settled: Promise<void>;
  resolve: () => void;
  reject: (error: AuditWriteError) => void;
}

function pendingBatch(): PendingBatch {
  let resolve!: () => void;
  let reject!: (error: AuditWriteError) => void;
  const settled = new Promise<void>((resolveBatch, rejectBatch) => {
    resolve = resolveBatch;
    reject = rejectBatch;
  });
  return { records: [], settled, resolve, reject };
}

export class AuditLog {
  /** Batches not yet handed to the store, each of at most maxBatch events; appends join the last. */
  private readonly pending: PendingBatch[] = [];
  private scheduled = false;
  private writing = false;
  /** Events of the transaction being written (for metrics: the queue's depth). */
  private inFlight = 0;
  private closing: Promise<void> | undefined;
  private readonly maxBatch: number;
  private readonly listeners = new Set<() => void>();
  private readonly healthListeners = new Set<(health: AuditHealth) => void>();
  private outage: AuditOutage | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
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
    return this.enqueue(record);
  }

  /**
   * Appends an event already written as its canonical JSON line (by a compiled
   * {@link AuditLineBuilder}): nothing is serialized or indexed here. The caller vouches that the
   * line is canonical JSON of a valid event; the line builders guarantee it by construction.
   */
  appendLine(json: string): Promise<void> {
    if (this.closing !== undefined) {
      return Promise.reject(new AuditWriteError("The audit log is closed; the event was not recorded."));
    }
    return this.enqueue({ json });
  }

  private enqueue(record: PreparedAuditRecord): Promise<void> {
    let batch = this.pending.at(-1);
    if (batch === undefined || batch.records.length >= this.maxBatch) {
      batch = pendingBatch();
      this.pending.push(batch);
    }
    batch.records.push(record);
    this.schedule();
    return batch.settled;
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
    const batch = this.pending.shift();
    const events = batch?.records.length ?? 0;
    const outage = this.outage;
    const outageRecord = outage ? this.outageRecord(outage) : undefined;
    if (batch === undefined && outageRecord === undefined) return;
    this.writing = true;
    this.inFlight = events;
    const started = performance.now();
    const records = batch?.records ?? [];
    if (outageRecord) records.unshift(outageRecord);
    let range: AppendedRange;
    try {
      range = await this.store.appendBatch(records);
    } catch (cause) {
      this.counters.failedTransactions++;
      this.counters.failedEvents += events;
      this.enterOutage(cause, events);
      batch?.reject(new AuditWriteError("The audit event could not be committed.", { cause }));
      return;
    } finally {
      this.writing = false;
      this.inFlight = 0;
      if (this.pending.length > 0) this.schedule();
    }
    if (outage) this.endOutage();
    this.counters.transactions++;
    this.counters.committedEvents += records.length;
    this.counters.largestBatch = Math.max(this.counters.largestBatch, records.length);
    batch?.resolve();
    const info = {
      events: records.length,
      firstSeq: range.firstSeq,
      lastSeq: range.lastSeq,
      durationMs: performance.now() - started,
    };
    if (this.options.onCommit !== undefined) this.notify(() => this.options.onCommit?.(info));
    for (const listener of this.listeners) this.notify(listener);
  }

  private notify(observer: () => void): void {
    try {
      observer();
    } catch {
      // An observer's failure must not look like a failed commit: the events are stored.
    }
  }

  /** Whether the trail can be written now; during an outage every append is refused. */
  health(): AuditHealth {
    return this.outage ? { ok: false, ...this.outage } : { ok: true };
  }

  /** Told when an outage begins and when it ends; returns the unsubscribe. */
  onHealthChange(listener: (health: AuditHealth) => void): () => void {
    this.healthListeners.add(listener);
    return () => this.healthListeners.delete(listener);
  }

  private outageRecord(outage: AuditOutage): PreparedAuditRecord | undefined {
    const build = this.options.outageEvent;
    if (!build) return undefined;
    try {
      return prepareAuditRecord(build({ ...outage, endedAt: Date.now() }));
    } catch {
      return undefined;
    }
  }

  private enterOutage(cause: unknown, refused: number): void {
    if (this.outage) {
      this.outage.refusedEvents += refused;
    } else {
      this.outage = { since: Date.now(), reason: reasonOf(cause), refusedEvents: refused };
      this.notifyHealth();
    }
    if (this.probeTimer === undefined && this.options.outageEvent && this.closing === undefined) {
      this.probeTimer = setTimeout(() => {
        this.probeTimer = undefined;
        if (this.outage && this.closing === undefined) this.schedule();
      }, this.options.probeIntervalMs ?? 1000);
      this.probeTimer.unref();
    }
  }

  private endOutage(): void {
    this.outage = undefined;
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    this.notifyHealth();
  }

  private notifyHealth(): void {
    const health = this.health();
    for (const listener of this.healthListeners) {
      try {
        listener(health);
      } catch {
        // A listener's failure changes nothing about the trail.
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

  /** Events appended but not yet committed: waiting for a transaction, and in the one being written. */
  queueDepth(): { pending: number; inFlight: number } {
    let pending = 0;
    for (const batch of this.pending) pending += batch.records.length;
    return { pending, inFlight: this.inFlight };
  }

  stats(): AuditLogStats {
    return { ...this.counters };
  }

  /** Refuses new events, commits the pending ones, stops the tails, then closes the store. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearTimeout(this.probeTimer);
      while (this.pending.length > 0 || this.writing || this.scheduled) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      await Promise.all([...this.tails].map((tail) => tail.stop()));
      await this.store.close();
    })();
    return this.closing;
  }
}

/** An error code such as ENOSPC or EPERM, or the error's name: never a message that could echo data. */
function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && /^[A-Z0-9_]{1,32}$/.test(code)) return code;
  return error instanceof Error ? error.name : "unknown";
}
