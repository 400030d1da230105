/**
 * Checks an audit trail's hash chain and says where it first breaks, and how.
 *
 * Each stored event carries `seq` (1, 2, 3…), `prevHash` (the previous event's hash; 64 zeros for
 * the first) and `hash = SHA-256(prevHash || canonical JSON)`. A separately stored head (last seq
 * and hash) is updated in the same transaction as every append. Walking the rows in seq order:
 *
 * - `modified`: a row's hash does not match its content, an index column disagrees with its event,
 *   or a row was rewritten and re-hashed (the next row's link points at a hash no row has, while
 *   the rest of the chain is whole);
 * - `deleted`: a gap in seq; or rows removed and the rest renumbered;
 * - `inserted`: a duplicate seq, a row past the recorded head, or rows the chain skips over (a later
 *   row links back past them);
 * - `reordered`: a row links to an event that comes after it;
 * - `truncated`: the chain ends before the recorded head (or before an external anchor).
 *
 * The chain proves the trail is the one the writer wrote only up to the head: someone who can write
 * the file can also recompute every hash and the head. Anchoring the head outside the file (logs,
 * a SIEM, a ticket) and passing it back as `anchor` closes that gap up to the anchor.
 */

import type { ChainHead } from "./audit-query.js";
import { type AuditIndexFields, auditIndexFields } from "./audit-record.js";
import { chainHash, GENESIS_HASH, isChainHash } from "./chain-hash.js";
import type { AuditEvent } from "./event.js";

export type VerifyProblem = "modified" | "deleted" | "inserted" | "reordered" | "truncated";

/**
 * An `AuditTrailGapAcknowledged` event found in an intact chain: the chain is whole from there on,
 * but an operator started the server over a trail that had lost events (see journal-integrity.ts).
 */
export interface AcknowledgedGap {
  seq: number;
  eventTime: string;
  acknowledgedBy: string;
  gap: string;
  recordedHeadSeq: number | undefined;
  foundSeq: number | undefined;
}

export const auditGapAcknowledgedEventName = "AuditTrailGapAcknowledged";
const gapMarker = `"eventName":"${auditGapAcknowledgedEventName}"`;

export type VerifyResult =
  | { ok: true; count: number; head: ChainHead; acknowledgedGaps?: AcknowledgedGap[] }
  | { ok: false; seq: number; problem: VerifyProblem; message: string };

export interface VerifyOptions {
  /** A head recorded outside the store earlier: the chain must still contain it. */
  anchor?: ChainHead | undefined;
}

export interface ChainRow {
  seq: number;
  prevHash: string;
  hash: string;
  /** The stored event text (canonical JSON). */
  json: string;
  /** The engine's index columns of this row, if it keeps any; they must agree with the event. */
  indexed?: Omit<AuditIndexFields, "secrets"> | undefined;
}

type Maybe<T> = T | Promise<T>;

/** What an engine provides for a verification, all read from one consistent snapshot. */
export interface ChainSource {
  /** The separately stored head; undefined when it is missing. */
  head: ChainHead | undefined;
  /** Every stored row, ordered by seq (rows sharing a seq in storage order). */
  rows: AsyncIterable<ChainRow> | Iterable<ChainRow>;
  /** The lowest seq of a row whose hash is this one. */
  seqOfHash(hash: string): Maybe<number | undefined>;
  /** The lowest seq greater than `afterSeq` of a row whose prevHash is this one. */
  firstLinkTo(prevHash: string, afterSeq: number): Maybe<number | undefined>;
  /**
   * For engines that keep rows in write order (a journal file) rather than sorted by seq: whether a
   * row with this seq is stored anywhere, so a seq seen out of place is told apart from a missing one.
   */
  hasSeq?(seq: number): Maybe<boolean>;
}

type Problem = Extract<VerifyResult, { ok: false }>;

const problem = (seq: number, kind: VerifyProblem, message: string): Problem => ({
  ok: false,
  seq,
  problem: kind,
  message,
});

export async function verifyChain(source: ChainSource, options: VerifyOptions = {}): Promise<VerifyResult> {
  const { head } = source;
  const { anchor } = options;
  let prevSeq = 0;
  let prevHash = GENESIS_HASH;
  let count = 0;
  const acknowledgedGaps: AcknowledgedGap[] = [];
  for await (const row of source.rows) {
    if (row.seq === prevSeq || row.seq < 1) {
      return problem(
        row.seq,
        "inserted",
        `More than one event is stored at seq ${row.seq}, or seq is below 1.`,
      );
    }
    if (head !== undefined && row.seq > head.seq) {
      return problem(
        row.seq,
        "inserted",
        `Event ${row.seq} lies beyond the recorded chain head (seq ${head.seq}): it was added outside the audit writer.`,
      );
    }
    const contentProblem = checkContent(row);
    if (contentProblem !== undefined) return contentProblem;
    if (row.seq < prevSeq) {
      const again = row.seq >= 1 && (await source.hasSeq?.(row.seq));
      return problem(
        row.seq,
        again ? "inserted" : "reordered",
        `Event ${row.seq} is stored after event ${prevSeq}: ${again ? "it was added a second time" : "events were moved"}.`,
      );
    }
    if (row.seq !== prevSeq + 1 && (await source.hasSeq?.(prevSeq + 1))) {
      return problem(
        prevSeq + 1,
        "reordered",
        `Event ${prevSeq + 1} is stored after event ${row.seq}: events were moved.`,
      );
    }
    if (row.seq !== prevSeq + 1) {
      const missing = row.seq - 1 === prevSeq + 1 ? `${prevSeq + 1}` : `${prevSeq + 1}–${row.seq - 1}`;
      return problem(
        prevSeq + 1,
        "deleted",
        `Events ${missing} are missing: the trail jumps from ${prevSeq} to ${row.seq}.`,
      );
    }
    if (row.prevHash !== prevHash) return classifyBrokenLink(source, row, prevHash);
    if (anchor !== undefined && row.seq === anchor.seq && row.hash !== anchor.hash) {
      return problem(row.seq, "modified", `Event ${row.seq} no longer has the hash anchored for it.`);
    }
    prevSeq = row.seq;
    prevHash = row.hash;
    count++;
    if (row.json.includes(gapMarker)) acknowledgedGaps.push(gapOf(row));
  }
  if (head === undefined) {
    return problem(
      prevSeq + 1,
      "truncated",
      "The recorded chain head is missing, so the end of the trail cannot be checked.",
    );
  }
  if (prevSeq < head.seq) {
    return problem(
      prevSeq + 1,
      "truncated",
      `The trail ends at seq ${prevSeq} but the recorded head is seq ${head.seq}: the newest events were removed.`,
    );
  }
  if (prevHash !== head.hash) {
    return problem(
      prevSeq,
      "modified",
      `Event ${prevSeq} does not have the hash recorded in the chain head.`,
    );
  }
  if (anchor !== undefined && anchor.seq > prevSeq) {
    return problem(
      prevSeq + 1,
      "truncated",
      `The trail ends at seq ${prevSeq} but an anchor recorded seq ${anchor.seq}: events were removed along with the head.`,
    );
  }
  return {
    ok: true,
    count,
    head: { seq: prevSeq, hash: prevHash },
    ...(acknowledgedGaps.length > 0 ? { acknowledgedGaps } : {}),
  };
}

function gapOf(row: ChainRow): AcknowledgedGap {
  const event = JSON.parse(row.json) as AuditEvent;
  const found = event.responseElements ?? {};
  const seqOf = (value: unknown) => (typeof value === "number" ? value : undefined);
  return {
    seq: row.seq,
    eventTime: event.eventTime,
    acknowledgedBy: event.userIdentity.userName ?? (event.userIdentity.arn || "unknown"),
    gap: typeof found.gap === "string" ? found.gap : "unknown",
    recordedHeadSeq: seqOf(found.recordedHeadSeq),
    foundSeq: seqOf(found.foundSeq),
  };
}

function checkContent(row: ChainRow): Problem | undefined {
  if (!isChainHash(row.prevHash) || chainHash(row.prevHash, row.json) !== row.hash) {
    return problem(row.seq, "modified", `Event ${row.seq} does not match its hash: its content was changed.`);
  }
  if (row.indexed === undefined) return undefined;
  let fields: AuditIndexFields;
  try {
    fields = auditIndexFields(JSON.parse(row.json) as AuditEvent);
  } catch {
    return problem(row.seq, "modified", `Event ${row.seq} is not a readable audit event.`);
  }
  for (const key of ["eventTime", "eventName", "principalArn", "accessKeyId", "outcome"] as const) {
    if (fields[key] !== row.indexed[key]) {
      return problem(
        row.seq,
        "modified",
        `The stored ${key} of event ${row.seq} disagrees with the event itself.`,
      );
    }
  }
  return undefined;
}

/** The row's link does not point at the row before it: find out what happened around it. */
async function classifyBrokenLink(source: ChainSource, row: ChainRow, prevHash: string): Promise<Problem> {
  const target = await source.seqOfHash(row.prevHash);
  if (target !== undefined && target >= row.seq) {
    return problem(
      row.seq,
      "reordered",
      `Event ${row.seq} follows event ${target} in the chain but is stored before it: events were reordered.`,
    );
  }
  if (target !== undefined) {
    const intruders = target + 1 === row.seq - 1 ? `${target + 1}` : `${target + 1}–${row.seq - 1}`;
    return problem(
      target + 1,
      "inserted",
      `Event ${row.seq} follows event ${target} in the chain, so event(s) ${intruders} were inserted.`,
    );
  }
  const rejoin = await source.firstLinkTo(prevHash, row.seq);
  if (rejoin !== undefined) {
    const intruders = row.seq === rejoin - 1 ? `${row.seq}` : `${row.seq}–${rejoin - 1}`;
    return problem(
      row.seq,
      "inserted",
      `The chain continues at event ${rejoin} from event ${row.seq - 1}, so event(s) ${intruders} were inserted.`,
    );
  }
  const head = source.head;
  const headAt = head === undefined ? undefined : await source.seqOfHash(head.hash);
  if (row.seq === 1 || (head !== undefined && headAt !== undefined && headAt < head.seq)) {
    return problem(
      row.seq,
      "deleted",
      `Event ${row.seq} links to an event that is no longer stored: events before it were deleted and the rest renumbered.`,
    );
  }
  return problem(
    row.seq - 1,
    "modified",
    `Event ${row.seq} recorded a different hash for event ${row.seq - 1}: event ${row.seq - 1} was rewritten and re-hashed.`,
  );
}
