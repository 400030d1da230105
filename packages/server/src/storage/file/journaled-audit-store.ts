import { existsSync, renameSync } from "node:fs";
import { join } from "node:path";
import type { AuditPage, AuditQuery, ChainHead, StoredAuditEvent } from "../../audit/audit-query.js";
import type { PreparedAuditRecord } from "../../audit/audit-record.js";
import { GENESIS_HASH } from "../../audit/chain-hash.js";
import type { AppendedRange, AuditStore } from "../../audit/port.js";
import type { VerifyOptions, VerifyResult } from "../../audit/verify-chain.js";
import {
  auditDatabaseFileName,
  type JournalEventReader,
  SqliteAuditStore,
} from "../sqlite/audit/sqlite-audit-store.js";
import { AuditJournal, type AuditJournalOptions } from "./audit-journal.js";
import { checkJournalAgainstHead, type JournalGap } from "./journal-integrity.js";
import { lastJournalLine, readJournalLinesAt } from "./journal-lines.js";
import { acquireJournalLock } from "./journal-lock.js";
import { JournalReader } from "./journal-reader.js";

export const auditJournalFileName = "audit.log";
const indexChunk = 5_000;

export interface OpenForWritingOptions extends AuditJournalOptions {
  /** Whether the data folder holds secrets; a folder with secrets but no trail has lost its trail. */
  holdsSecrets?: (() => boolean) | undefined;
  /**
   * Open even though the journal disagrees with its recorded head (the operator accepted the loss).
   * The gap found is then in {@link JournaledAuditStore.acknowledgedGap}, for the caller to audit.
   */
  acknowledgeGap?: boolean | undefined;
}

/** Start-up found the audit journal cut, replaced or missing; the message says what and what to do. */
export class AuditGapError extends Error {
  constructor(readonly gap: JournalGap) {
    super(gap.message);
    this.name = "AuditGapError";
  }
}

/**
 * The audit trail as two files: `audit.log`, the hash-chained journal every event is written to
 * before its request is answered (the system of record, what `verify` checks), and `audit.db`, a
 * SQLite index of the same events for queries. The index is brought up to date from the journal
 * when it is queried (by the server or by `coffer audit` beside it), in large transactions: no
 * index work sits on the request path, which is what keeps auditing cheap.
 */
export class JournaledAuditStore implements AuditStore {
  private readonly reader: JournalReader;
  private openedIndex: SqliteAuditStore | undefined;
  /** Set when this writer opened past a gap the operator acknowledged; see {@link OpenForWritingOptions}. */
  acknowledgedGap: (JournalGap & { preservedIndex: string | undefined }) | undefined;

  private constructor(
    journalPath: string,
    /** Opened on the first query, so reading or verifying the journal alone creates no index file. */
    private readonly openIndex: () => SqliteAuditStore,
    private journal: AuditJournal | undefined,
    private releaseLock: (() => void) | undefined,
  ) {
    this.reader = new JournalReader(journalPath);
  }

  private get index(): SqliteAuditStore {
    this.openedIndex ??= this.openIndex();
    return this.openedIndex;
  }

  /** The server's trail: it alone appends (a lock file guards that). */
  static openForWriting(home: string, options: OpenForWritingOptions = {}): JournaledAuditStore {
    const journalPath = join(home, auditJournalFileName);
    const release = acquireJournalLock(journalPath);
    try {
      const indexPath = join(home, auditDatabaseFileName);
      // Before the journal opens: opening rewrites the head from the journal, hiding a cut tail.
      const gap = checkJournalAgainstHead(
        journalPath,
        () => existsSync(indexPath) || (options.holdsSecrets?.() ?? false),
      );
      if (gap !== undefined && !options.acknowledgeGap) throw new AuditGapError(gap);
      // The index still holds the lost events under seqs the journal will now reuse: keep it aside
      // as evidence, and let a fresh one be built from the journal.
      const preservedIndex = gap !== undefined ? preserveIndex(indexPath) : undefined;
      const journal = new AuditJournal(journalPath, options);
      const store = new JournaledAuditStore(journalPath, () => openIndexOf(home), journal, release);
      // The server's index exists from the start (owner-only, like every file of the data folder).
      store.openedIndex = openIndexOf(home);
      if (gap !== undefined) store.acknowledgedGap = { ...gap, preservedIndex };
      return store;
    } catch (error) {
      release();
      throw error;
    }
  }

  /**
   * A reader, beside a running server or not (`coffer audit --data-dir`). Writes nothing but the
   * query index `audit.db`, and that only when queried.
   */
  static openForReading(home: string): JournaledAuditStore {
    return new JournaledAuditStore(
      join(home, auditJournalFileName),
      () => openIndexOf(home),
      undefined,
      undefined,
    );
  }

  async appendBatch(records: readonly PreparedAuditRecord[]): Promise<AppendedRange> {
    if (!this.journal) throw new Error("This audit trail was opened for reading.");
    return this.journal.append(records);
  }

  /** Copies journaled events the index lacks into it. */
  private catchUpIndex(): void {
    for (;;) {
      const appended = this.index.appendMissing((fromSeq) => {
        const records: PreparedAuditRecord[] = [];
        for (const line of this.reader.lines(fromSeq)) {
          // The journal's own bytes: the index chains exactly what the journal chained, and keeps
          // where the line is rather than a copy of it (docs/adr/0009).
          records.push({ json: line.json, journalOffset: line.offset });
          if (records.length >= indexChunk) break;
        }
        return records;
      });
      if (appended < indexChunk) return;
    }
  }

  async readFrom(fromSeq: number, limit: number): Promise<StoredAuditEvent[]> {
    return this.reader.readFrom(fromSeq, limit);
  }

  async query(query: AuditQuery): Promise<AuditPage> {
    this.catchUpIndex();
    return this.index.query(query);
  }

  async head(): Promise<ChainHead> {
    if (this.journal) return this.journal.head();
    // A reader goes by the journal itself: a copied or damaged trail may lack its head file (verify
    // reports that), and its events must still be readable.
    const last = existsSync(this.reader.path) ? lastJournalLine(this.reader.path) : undefined;
    if (last) return { seq: last.seq, hash: last.hash };
    return this.reader.recordedHead() ?? { seq: 0, hash: GENESIS_HASH };
  }

  verify(options?: VerifyOptions): Promise<VerifyResult> {
    return this.reader.verify(options);
  }

  async close(): Promise<void> {
    if (this.journal) {
      this.journal.close();
      this.journal = undefined;
    }
    await this.openedIndex?.close();
    this.releaseLock?.();
    this.releaseLock = undefined;
  }
}

/** The query index of a data folder, reading its events from the folder's journal. */
function openIndexOf(home: string): SqliteAuditStore {
  return SqliteAuditStore.inDataFolder(home, {
    journalEvents: journalEventReader(join(home, auditJournalFileName)),
  });
}

/** Reads indexed events from their journal lines, checking each line is still the one indexed. */
function journalEventReader(journalPath: string): JournalEventReader {
  return (refs) => {
    const lines = existsSync(journalPath)
      ? readJournalLinesAt(
          journalPath,
          refs.map((ref) => ref.offset),
        )
      : [];
    return refs.map((ref, i) => {
      const line = lines[i];
      return line !== undefined && line.seq === ref.seq && line.hash === ref.hash ? line.json : undefined;
    });
  };
}

/** Renames `audit.db` (with its -wal and -shm) to `audit.db.before-gap-<time>`; the new name, if any was there. */
function preserveIndex(indexPath: string): string | undefined {
  if (!existsSync(indexPath)) return undefined;
  const preserved = `${indexPath}.before-gap-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  for (const suffix of ["-wal", "-shm", ""]) {
    if (existsSync(indexPath + suffix)) renameSync(indexPath + suffix, preserved + suffix);
  }
  return preserved;
}
