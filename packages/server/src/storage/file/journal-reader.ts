import { existsSync, readFileSync } from "node:fs";
import type { ChainHead, StoredAuditEvent } from "../../audit/audit-query.js";
import type { AuditEvent } from "../../audit/event.js";
import {
  type ChainRow,
  type VerifyOptions,
  type VerifyResult,
  verifyChain,
} from "../../audit/verify-chain.js";
import { headPathOf } from "./audit-journal.js";
import { type JournalLine, parseJournalLine, readJournalLines } from "./journal-lines.js";

/** Reading the journal: events from a seq on, and verification of the whole chain. */
export class JournalReader {
  /** Byte offsets of every 1024th seq seen, so reads from a seq skip most of the file. */
  private readonly offsets = new Map<number, number>();
  /** The highest seq in `offsets`: a read from far beyond it starts there, not at a scan down to it. */
  private highestKnown = 0;
  private static readonly stride = 1024;
  /**
   * The last line read: the index's catch-up asks for the lines after it, and starts where it ended
   * instead of re-reading from the nearest stride (up to ~1 MB per query).
   */
  private lastRead: { seq: number; end: number } | undefined;

  constructor(readonly path: string) {}

  *lines(fromSeq = 1): Generator<JournalLine> {
    if (!existsSync(this.path)) return;
    let start = 0;
    const known = Math.min(
      Math.floor((fromSeq - 1) / JournalReader.stride) * JournalReader.stride + 1,
      this.highestKnown,
    );
    for (let seq = known; seq >= 1; seq -= JournalReader.stride) {
      const offset = this.offsets.get(seq);
      if (offset !== undefined) {
        start = offset;
        break;
      }
    }
    if (this.lastRead !== undefined && fromSeq > this.lastRead.seq && this.lastRead.end > start) {
      start = this.lastRead.end;
    }
    for (const raw of readJournalLines(this.path, start)) {
      const line = parseJournalLine(raw.text, raw.offset, raw.end);
      if (!line) continue;
      this.lastRead = { seq: line.seq, end: line.end };
      if ((line.seq - 1) % JournalReader.stride === 0) {
        this.offsets.set(line.seq, line.offset);
        this.highestKnown = Math.max(this.highestKnown, line.seq);
      }
      if (line.seq >= fromSeq) yield line;
    }
  }

  readFrom(fromSeq: number, limit: number): StoredAuditEvent[] {
    const events: StoredAuditEvent[] = [];
    for (const line of this.lines(fromSeq)) {
      events.push({
        seq: line.seq,
        prevHash: line.prevHash,
        hash: line.hash,
        event: JSON.parse(line.json) as AuditEvent,
      });
      if (events.length >= limit) break;
    }
    return events;
  }

  /** The head recorded beside the journal (undefined when missing or unreadable). */
  recordedHead(): ChainHead | undefined {
    try {
      const head = JSON.parse(readFileSync(headPathOf(this.path), "utf8")) as ChainHead;
      return typeof head.seq === "number" && typeof head.hash === "string" ? head : undefined;
    } catch {
      return undefined;
    }
  }

  /** Every line in file order, as the verifier reads rows; a line that does not parse counts as modified. */
  private *rows(): Generator<ChainRow> {
    let previousSeq = 0;
    if (!existsSync(this.path)) return;
    for (const raw of readJournalLines(this.path)) {
      const line = parseJournalLine(raw.text, raw.offset, raw.end);
      // An unreadable line stands where the next event should be: report it there, as modified.
      if (!line) yield { seq: previousSeq + 1, prevHash: "", hash: "", json: raw.text };
      else {
        previousSeq = line.seq;
        yield { seq: line.seq, prevHash: line.prevHash, hash: line.hash, json: line.json };
      }
    }
  }

  verify(options: VerifyOptions = {}): Promise<VerifyResult> {
    return verifyChain(
      {
        head: this.recordedHead(),
        rows: this.rows(),
        seqOfHash: (hash) => {
          for (const line of this.lines()) if (line.hash === hash) return line.seq;
          return undefined;
        },
        hasSeq: (seq) => {
          for (const line of this.lines()) if (line.seq === seq) return true;
          return false;
        },
        firstLinkTo: (prevHash, afterSeq) => {
          for (const line of this.lines())
            if (line.seq > afterSeq && line.prevHash === prevHash) return line.seq;
          return undefined;
        },
      },
      options,
    );
  }
}
