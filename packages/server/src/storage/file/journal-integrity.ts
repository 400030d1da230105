import { existsSync } from "node:fs";
import type { ChainHead } from "../../audit/audit-query.js";
import { headPathOf } from "./audit-journal.js";
import { completeLength, lastJournalLine, parseJournalLine, readJournalLines } from "./journal-lines.js";
import { JournalReader } from "./journal-reader.js";

/** What start-up found when it compared the journal with the head recorded beside it. */
export interface JournalGap {
  /** The head file's seq and hash; undefined when the head file is missing or unreadable. */
  recordedHead: ChainHead | undefined;
  /** The journal's last complete line; undefined when the journal is missing or empty. */
  found: ChainHead | undefined;
  /** What disagrees, in a few words: `truncated`, `hash-mismatch`, `journal-missing`, `head-missing`, `broken-extension`. */
  kind: "truncated" | "hash-mismatch" | "journal-missing" | "head-missing" | "broken-extension";
  /** One paragraph for the operator, naming the files and what was found. */
  message: string;
}

/**
 * Compares the journal with its recorded head before the writer opens it — opening rewrites the
 * head from the journal, which would hide a cut or deleted tail from every later `verify`.
 *
 * Consistent: the line at head.seq carries head.hash, and any lines after it continue the chain
 * (the head lags the journal by the last batch when the server died between the two writes). Also
 * consistent: neither file exists and the data folder holds no history (`hasHistory` false), a
 * first start. Anything else is a gap.
 */
export function checkJournalAgainstHead(
  journalPath: string,
  hasHistory: () => boolean,
): JournalGap | undefined {
  const headPath = headPathOf(journalPath);
  const journalExists = existsSync(journalPath);
  const headExists = existsSync(headPath);
  const recordedHead = headExists ? new JournalReader(journalPath).recordedHead() : undefined;
  const last = journalExists && completeLength(journalPath) > 0 ? lastJournalLine(journalPath) : undefined;
  const found = last ? { seq: last.seq, hash: last.hash } : undefined;
  const gap = (kind: JournalGap["kind"], what: string): JournalGap => ({
    recordedHead,
    found,
    kind,
    message:
      `The audit trail does not match its recorded head: ${what} ` +
      "Starting now would rewrite the head from what remains and hide the loss, so Coffer refuses. " +
      `Restore ${journalPath} and ${headPath} from a backup, or, to accept the loss, start once with ` +
      "`coffer serve --acknowledge-audit-gap` (or COFFER_ACKNOWLEDGE_AUDIT_GAP=1): the trail then " +
      "records an AuditTrailGapAcknowledged event saying what was lost.",
  });
  const describeHead = (head: ChainHead) => `seq ${head.seq}, hash ${head.hash}`;

  if (!journalExists && !headExists) {
    return hasHistory()
      ? gap(
          "journal-missing",
          `${journalPath} and ${headPath} are both missing, but the data folder holds secrets or an audit index (audit.db).`,
        )
      : undefined;
  }
  if (!journalExists) {
    return gap(
      "journal-missing",
      `${journalPath} is missing, but ${headPath} records ${recordedHead ? describeHead(recordedHead) : "an unreadable head"}.`,
    );
  }
  if (recordedHead === undefined) {
    // A journal created by a first start that died before it wrote the head holds no event yet.
    if (found === undefined && !hasHistory()) return undefined;
    return gap(
      "head-missing",
      `${headPath} is ${headExists ? "unreadable" : "missing"}, while ${journalPath} ${found ? `ends at ${describeHead(found)}` : "is empty"}.`,
    );
  }
  const foundSeq = found?.seq ?? 0;
  if (foundSeq < recordedHead.seq) {
    return gap(
      "truncated",
      `${headPath} records ${describeHead(recordedHead)}, but ${journalPath} ${found ? `ends at seq ${foundSeq}` : "holds no events"}: the newest events were removed.`,
    );
  }
  if (found !== undefined && foundSeq === recordedHead.seq) {
    if (found.hash === recordedHead.hash) return undefined;
    return gap(
      "hash-mismatch",
      `${headPath} records ${describeHead(recordedHead)}, but event ${foundSeq} of ${journalPath} has hash ${found.hash}.`,
    );
  }
  if (recordedHead.seq === 0) return undefined;
  // The journal runs past the head: the line at head.seq must carry its hash, and what follows must link on.
  // The head records where its line starts; a start that does not hold it means a full scan.
  const offset = (recordedHead as { offset?: unknown }).offset;
  let start = 0;
  if (typeof offset === "number" && Number.isSafeInteger(offset) && offset > 0) {
    for (const raw of readJournalLines(journalPath, offset)) {
      if (parseJournalLine(raw.text, raw.offset, raw.end)?.seq === recordedHead.seq) start = offset;
      break;
    }
  }
  let previous: ChainHead | undefined;
  for (const raw of readJournalLines(journalPath, start)) {
    const line = parseJournalLine(raw.text, raw.offset, raw.end);
    if (line === undefined || line.seq < recordedHead.seq) continue;
    if (previous === undefined) {
      if (line.seq !== recordedHead.seq || line.hash !== recordedHead.hash) {
        return gap(
          "hash-mismatch",
          `${headPath} records ${describeHead(recordedHead)}, but ${journalPath} holds ${line.seq === recordedHead.seq ? `hash ${line.hash} there` : `no event ${recordedHead.seq}`}.`,
        );
      }
    } else if (line.seq !== previous.seq + 1 || line.prevHash !== previous.hash) {
      return gap(
        "broken-extension",
        `the events of ${journalPath} after the recorded head (${describeHead(recordedHead)}) do not continue its chain at seq ${line.seq}.`,
      );
    }
    previous = { seq: line.seq, hash: line.hash };
  }
  return undefined;
}
