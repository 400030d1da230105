import {
  closeSync,
  existsSync,
  fdatasync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import type { ChainHead } from "../../audit/audit-query.js";
import type { PreparedAuditRecord } from "../../audit/audit-record.js";
import { chainHash, GENESIS_HASH } from "../../audit/chain-hash.js";
import type { AppendedRange } from "../../audit/port.js";
import { completeLength, formatJournalLine, lastJournalLine } from "./journal-lines.js";

export interface AuditJournalOptions {
  /**
   * How often written events are also flushed to the disk (fdatasync). 0 flushes every batch
   * before it is acknowledged: durable across power loss, at a throughput cost. Otherwise an
   * acknowledged event has been handed to the operating system — it survives a crash or kill -9 of
   * the server — and reaches the disk within this many milliseconds. Default 100.
   */
  fsyncIntervalMs?: number | undefined;
}

/**
 * The audit trail's system of record: an append-only file of hash-chained JSON lines, one event a
 * line. A batch is one write(2) of all its lines, so appending costs about the bytes of the events
 * themselves — no pages, indexes or checkpoints on the request path. A head file records the last
 * seq and hash, so a truncated tail is detected at start-up (journal-integrity.ts).
 *
 * The head is written with every batch (one small pwrite): `verify`, also from a process beside the
 * server, reports lines past the recorded head as inserted, so the head cannot lag the journal. It
 * also records where its line starts, so start-up after a crash between the two writes checks the
 * lines past the head without scanning the whole journal.
 */
export class AuditJournal {
  private readonly fd: number;
  private readonly headFd: number;
  private seq: number;
  private hash: string;
  /** Byte offset of the line of `seq` (recorded in the head file so start-up need not scan). */
  private offset: number;
  /** Set by a failed write: the file may end in part of a batch, cut off at the next append. */
  private broken: Error | undefined;
  /** Bytes of the journal that hold complete, acknowledged lines. */
  private goodLength: number;
  private unsynced = false;
  private readonly syncTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly path: string,
    private readonly options: AuditJournalOptions = {},
  ) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const fresh = !existsSync(path);
    this.fd = openSync(path, "a+", 0o600);
    // A line cut short by a crash was never acknowledged: drop it so the next line starts clean.
    if (!fresh) ftruncateSync(this.fd, completeLength(path));
    const last = fresh ? undefined : lastJournalLine(path);
    this.goodLength = fstatSync(this.fd).size;
    this.seq = last?.seq ?? 0;
    this.hash = last?.hash ?? GENESIS_HASH;
    this.offset = last?.offset ?? 0;
    this.headFd = openSync(headPathOf(path), "w", 0o600);
    this.writeHead();
    const interval = options.fsyncIntervalMs ?? 100;
    if (interval > 0) {
      this.syncTimer = setInterval(() => this.flushInBackground(), interval);
      this.syncTimer.unref();
    }
  }

  head(): ChainHead {
    return { seq: this.seq, hash: this.hash };
  }

  /**
   * Appends the batch in order, all or nothing; throws if it could not be written.
   *
   * A failed write (full disk, a file made read-only or immutable) may leave part of the batch in
   * the file. The next append first cuts the file back to its last complete line, so a trail that
   * becomes writable again recovers by itself, without a restart; while it cannot be cut back,
   * every append fails and nothing is acknowledged.
   */
  append(records: readonly PreparedAuditRecord[]): AppendedRange {
    if (this.broken) this.repair();
    let seq = this.seq;
    let hash = this.hash;
    let text = "";
    let lastLine = "";
    for (const record of records) {
      const next = chainHash(hash, record.json);
      seq++;
      lastLine = formatJournalLine(seq, hash, next, record.json);
      text += lastLine;
      hash = next;
    }
    const firstSeq = this.seq + 1;
    const bytes = Buffer.from(text, "utf8");
    const offset =
      records.length > 0 ? this.goodLength + bytes.length - Buffer.byteLength(lastLine, "utf8") : this.offset;
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(this.fd, bytes, written);
      this.writeHead(seq, hash, offset);
      if ((this.options.fsyncIntervalMs ?? 100) === 0) fdatasyncSync(this.fd);
      else this.unsynced = true;
    } catch (error) {
      this.broken = error instanceof Error ? error : new Error(String(error));
      throw this.broken;
    }
    this.goodLength += bytes.length;
    this.seq = seq;
    this.hash = hash;
    this.offset = offset;
    return { firstSeq, lastSeq: seq, hash };
  }

  /** Cuts off what a failed write left and rewrites the head; throws while the file refuses. */
  private repair(): void {
    try {
      ftruncateSync(this.fd, this.goodLength);
      this.writeHead(this.seq, this.hash);
    } catch (error) {
      this.broken = error instanceof Error ? error : new Error(String(error));
      throw this.broken;
    }
    this.broken = undefined;
  }

  private writeHead(seq = this.seq, hash = this.hash, offset = this.offset): void {
    const text = Buffer.from(`${JSON.stringify({ seq, hash, offset })}\n`);
    writeSync(this.headFd, text, 0, text.length, 0);
  }

  private flushInBackground(): void {
    if (!this.unsynced || this.broken) return;
    this.unsynced = false;
    fdatasync(this.fd, () => {});
  }

  close(): void {
    if (this.syncTimer) clearInterval(this.syncTimer);
    if (!this.broken) fdatasyncSync(this.fd);
    closeSync(this.fd);
    closeSync(this.headFd);
  }
}

export function headPathOf(journalPath: string): string {
  return `${journalPath}.head`;
}
