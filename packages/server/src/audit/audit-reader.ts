/**
 * Reading the audit trail for someone else: the remote API (`coffer.QueryAuditEvents`,
 * `coffer.TailAuditEvents`, `coffer.VerifyAuditTrail`) and `coffer audit --data-dir` both go
 * through this, so they answer alike. It bounds every answer (events and bytes), makes pagination
 * stable while events are appended, and turns "follow" into a bounded long-poll.
 */
import { createHash } from "node:crypto";
import type { AuditFilter, AuditPage, AuditQuery, ChainHead, StoredAuditEvent } from "./audit-query.js";
import type { AuditEvent } from "./event.js";
import type { VerifyOptions, VerifyResult } from "./verify-chain.js";

/** What the reader needs of the trail: an {@link AuditLog} provides all of it. */
export interface AuditTrailSource {
  query(query: AuditQuery): Promise<AuditPage>;
  readFrom(fromSeq: number, limit: number): Promise<StoredAuditEvent[]>;
  head(): Promise<ChainHead>;
  verify(options?: VerifyOptions): Promise<VerifyResult>;
  /** In-process notice of new commits; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
}

export interface AuditReaderLimits {
  /** Most events one answer carries. Default 1000. */
  maxEvents?: number | undefined;
  /** An answer stops adding events past about this many bytes of events (at least one is sent). Default 1 MiB. */
  maxBytes?: number | undefined;
  /** Longest a tail request waits for new events. Default 20 s. */
  maxWaitMs?: number | undefined;
  /** Tail requests waiting at once; one more is refused ({@link AuditReaderBusyError}). Default 64. */
  maxWaiters?: number | undefined;
  /**
   * While waiting, also look for new events this often: for a reader beside the server's process,
   * whose commits send no notice here. Default: rely on notices alone.
   */
  pollIntervalMs?: number | undefined;
}

/** The operation whose successful calls a tail leaves out: its own polling. */
export const TAIL_OPERATION = "TailAuditEvents";

/**
 * A successful `TailAuditEvents` call: a follower's poll. Tails leave these out, or every follower
 * would wake on the event of its own previous poll and the trail would fill with an endless echo.
 * They stay in the trail (query and export show them); denied or failed calls are shown by tails too.
 */
export function isAuditTailPoll(event: AuditEvent): boolean {
  return event.eventName === TAIL_OPERATION && event.errorCode === undefined;
}

/** A NextToken that is not one this reader gave for this query. */
export class InvalidAuditCursorError extends Error {
  override name = "InvalidAuditCursorError";
}

/** A tail's StartSeq beyond the next event the trail will hold: no follower was ever given it. */
export class AuditStartBeyondHeadError extends Error {
  override name = "AuditStartBeyondHeadError";
}

/** Too many tail requests already waiting. */
export class AuditReaderBusyError extends Error {
  override name = "AuditReaderBusyError";
}

export interface AuditPageRequest extends AuditFilter {
  limit: number;
  nextToken?: string | undefined;
}

export interface AuditPageAnswer {
  events: StoredAuditEvent[];
  nextToken: string | undefined;
}

export interface AuditTailRequest {
  /** First seq to return; default: the `last` events before the head (or only new events). */
  startSeq?: number | undefined;
  /** With no startSeq: how many events (tail polls left out) before the head to start with. */
  last?: number | undefined;
  limit: number;
  /** How long to wait when no event is there yet (capped by `maxWaitMs`); 0 answers at once. */
  waitMs: number;
}

export interface AuditTailAnswer {
  events: StoredAuditEvent[];
  /** The startSeq of the next request: every event before it was delivered or left out. */
  nextSeq: number;
  /** The head when the answer was made. */
  headSeq: number;
}

interface Cursor {
  v: 1;
  /** Fingerprint of the filters and order the token was made for. */
  f: string;
  /** The query's snapshot: the head seq when its first page was read. */
  s: number;
  /** The last event delivered. */
  a: number;
}

const SCAN_CHUNK = 256;
const MAX_BACK_SCAN = 100_000;
/** Bytes of framing around each event in an answer (seq, hashes, member names). */
const EVENT_OVERHEAD = 200;

export class AuditReader {
  private readonly maxEvents: number;
  private readonly maxBytes: number;
  private readonly maxWaitMs: number;
  private readonly maxWaiters: number;
  private waiting = 0;
  private closed = false;
  private readonly wakers = new Set<() => void>();
  private verifying: Promise<VerifyResult> | undefined;

  constructor(
    private readonly source: AuditTrailSource,
    private readonly limits: AuditReaderLimits = {},
  ) {
    this.maxEvents = limits.maxEvents ?? 1000;
    this.maxBytes = limits.maxBytes ?? 1024 * 1024;
    this.maxWaitMs = limits.maxWaitMs ?? 20_000;
    this.maxWaiters = limits.maxWaiters ?? 64;
  }

  /**
   * One page of a query. The first page pins the query to the head it saw; later pages (by
   * `nextToken`) continue after the last event delivered within that snapshot, so appends never
   * shift a page, duplicate or skip an event. New events are for the tail.
   */
  async queryPage(request: AuditPageRequest): Promise<AuditPageAnswer> {
    const { limit, nextToken, ...filter } = request;
    const fingerprint = fingerprintOf(filter);
    let maxSeq: number;
    let after: number | undefined;
    if (nextToken === undefined) maxSeq = (await this.source.head()).seq;
    else {
      const cursor = decodeCursor(nextToken);
      if (cursor.f !== fingerprint) {
        throw new InvalidAuditCursorError("The NextToken was given for a query with other filters or order.");
      }
      maxSeq = cursor.s;
      after = cursor.a;
    }
    let page: AuditPage;
    try {
      page = await this.source.query({ ...filter, limit: Math.min(limit, this.maxEvents), after, maxSeq });
    } catch (error) {
      if (error instanceof RangeError && after !== undefined) {
        throw new InvalidAuditCursorError("The NextToken names no stored event.", { cause: error });
      }
      throw error;
    }
    const events = this.withinBytes(page.events);
    const last = events.at(-1);
    const more = events.length < page.events.length || page.nextAfter !== undefined;
    return {
      events,
      nextToken:
        more && last !== undefined
          ? encodeCursor({ v: 1, f: fingerprint, s: maxSeq, a: last.seq })
          : undefined,
    };
  }

  /**
   * Events in commit (seq) order from `startSeq`, tail polls left out. With `waitMs`, waits until at
   * least one event is there, the wait ends, or the reader closes: a long-poll, woken by the commit
   * notice, so a follower costs one request per `waitMs` while the trail is quiet.
   */
  async tail(request: AuditTailRequest): Promise<AuditTailAnswer> {
    const waitMs = this.closed ? 0 : Math.max(0, Math.min(request.waitMs, this.maxWaitMs));
    const limit = Math.min(request.limit, this.maxEvents);
    if (waitMs > 0 && this.waiting >= this.maxWaiters) {
      throw new AuditReaderBusyError(
        `${this.maxWaiters} audit tails are already waiting; retry, or use a shorter wait.`,
      );
    }
    let noticed = false;
    let wake: (() => void) | undefined;
    const unsubscribe =
      waitMs > 0
        ? this.source.subscribe(() => {
            noticed = true;
            wake?.();
          })
        : undefined;
    if (waitMs > 0) this.waiting++;
    try {
      const head = await this.source.head();
      if (request.startSeq !== undefined && request.startSeq > head.seq + 1) {
        throw new AuditStartBeyondHeadError(
          `StartSeq ${request.startSeq} is beyond the trail, whose next event will be ${head.seq + 1}; pass the NextSeq of an earlier answer, or leave StartSeq out.`,
        );
      }
      let next = request.startSeq ?? (await this.startForLast(head.seq, request.last ?? 0));
      const deadline = Date.now() + waitMs;
      for (;;) {
        noticed = false;
        const read = await this.readShown(next, limit);
        next = read.nextSeq;
        const remaining = deadline - Date.now();
        if (read.events.length > 0 || remaining <= 0 || this.closed) {
          const headSeq = Math.max((await this.source.head()).seq, next - 1);
          return { events: read.events, nextSeq: next, headSeq };
        }
        if (noticed) continue;
        await new Promise<void>((resolve) => {
          const poll = this.limits.pollIntervalMs;
          const timer = setTimeout(() => done(), poll === undefined ? remaining : Math.min(poll, remaining));
          const done = () => {
            clearTimeout(timer);
            this.wakers.delete(done);
            wake = undefined;
            resolve();
          };
          wake = done;
          this.wakers.add(done);
        });
      }
    } finally {
      unsubscribe?.();
      if (waitMs > 0) this.waiting--;
    }
  }

  /** Checks the chain; calls without an anchor made while one runs share its result. */
  verify(options: VerifyOptions = {}): Promise<VerifyResult> {
    if (options.anchor !== undefined) return this.source.verify(options);
    this.verifying ??= this.source.verify().finally(() => {
      this.verifying = undefined;
    });
    return this.verifying;
  }

  head(): Promise<ChainHead> {
    return this.source.head();
  }

  /** Ends every waiting tail now (with what it has) and makes later tails answer at once. */
  close(): void {
    this.closed = true;
    for (const wake of [...this.wakers]) wake();
  }

  /** The seq `last` shown events before the head start at (polls are skipped when counting). */
  private async startForLast(headSeq: number, last: number): Promise<number> {
    let start = headSeq + 1;
    let shown = 0;
    let scanned = 0;
    while (shown < last && start > 1 && scanned < MAX_BACK_SCAN) {
      const from = Math.max(1, start - SCAN_CHUNK);
      const chunk = await this.source.readFrom(from, start - from);
      for (let i = chunk.length - 1; i >= 0; i--) {
        const stored = chunk[i] as StoredAuditEvent;
        scanned++;
        if (isAuditTailPoll(stored.event)) continue;
        shown++;
        if (shown === last) return stored.seq;
      }
      start = from;
    }
    return start;
  }

  private async readShown(
    fromSeq: number,
    limit: number,
  ): Promise<{ events: StoredAuditEvent[]; nextSeq: number }> {
    const events: StoredAuditEvent[] = [];
    let next = fromSeq;
    let bytes = 0;
    for (;;) {
      const raw = await this.source.readFrom(next, limit);
      for (const stored of raw) {
        if (!isAuditTailPoll(stored.event)) {
          const size = sizeOf(stored);
          if (events.length > 0 && bytes + size > this.maxBytes) return { events, nextSeq: next };
          events.push(stored);
          bytes += size;
        }
        next = stored.seq + 1;
        if (events.length >= limit) return { events, nextSeq: next };
      }
      if (raw.length < limit) return { events, nextSeq: next };
    }
  }

  private withinBytes(events: StoredAuditEvent[]): StoredAuditEvent[] {
    let bytes = 0;
    const kept: StoredAuditEvent[] = [];
    for (const stored of events) {
      const size = sizeOf(stored);
      if (kept.length > 0 && bytes + size > this.maxBytes) break;
      kept.push(stored);
      bytes += size;
    }
    return kept;
  }
}

function sizeOf(stored: StoredAuditEvent): number {
  return Buffer.byteLength(JSON.stringify(stored.event)) + EVENT_OVERHEAD;
}

function fingerprintOf(filter: AuditFilter): string {
  const parts = [
    filter.secretId,
    filter.principal,
    filter.action,
    filter.outcome,
    filter.from?.getTime(),
    filter.to?.getTime(),
    filter.order ?? "asc",
  ];
  return createHash("sha256").update(JSON.stringify(parts)).digest("base64url").slice(0, 16);
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

function decodeCursor(token: string): Cursor {
  let cursor: unknown;
  try {
    cursor = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw new InvalidAuditCursorError("The NextToken is not one this server gave.");
  }
  const { v, f, s, a } = (cursor ?? {}) as Partial<Cursor>;
  const seq = (n: unknown) => typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
  if (v !== 1 || typeof f !== "string" || !seq(s) || !seq(a)) {
    throw new InvalidAuditCursorError("The NextToken is not one this server gave.");
  }
  return { v, f, s: s as number, a: a as number };
}
