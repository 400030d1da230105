import type { AuditPage, AuditQuery, ChainHead, StoredAuditEvent } from "./audit-query.js";
import type { PreparedAuditRecord } from "./audit-record.js";
import type { VerifyOptions, VerifyResult } from "./verify-chain.js";

/**
 * Where the audit trail is kept. An engine appends whole batches atomically, extending the hash
 * chain (`seq`, `prevHash`, `hash`) and its separately stored head in the same transaction, and
 * reads the current head inside that transaction, so several processes may share one trail.
 */
export interface AuditStore {
  /**
   * Appends the records in order as ONE transaction and resolves once it is durable: it survives
   * kill -9 of the server, and power loss too where the engine flushes before resolving (the
   * journal with `fsyncIntervalMs: 0`, SQLite with `synchronous=FULL`). On rejection the caller
   * must treat the records as not stored.
   */
  appendBatch(records: readonly PreparedAuditRecord[]): Promise<AppendedRange>;
  /** Stored events with seq ≥ fromSeq, in seq order, at most `limit`. */
  readFrom(fromSeq: number, limit: number): Promise<StoredAuditEvent[]>;
  query(query: AuditQuery): Promise<AuditPage>;
  head(): Promise<ChainHead>;
  /** Walks the whole chain from a consistent snapshot; reports the first problem found. */
  verify(options?: VerifyOptions): Promise<VerifyResult>;
  close(): Promise<void>;
}

export interface AppendedRange {
  firstSeq: number;
  lastSeq: number;
  /** The hash of the last appended event: the new head. */
  hash: string;
}
