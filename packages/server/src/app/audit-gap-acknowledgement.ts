import type { AuditEvent } from "../audit/event.js";
import { auditGapAcknowledgedEventName } from "../audit/verify-chain.js";
import type { JournalGap } from "../storage/file/journal-integrity.js";
import { localOperatorEvent } from "./local-operator.js";

/**
 * The first event after a start with `--acknowledge-audit-gap`: who accepted the loss (the OS user
 * at the data folder), and what was lost — the head the trail had recorded against what was found.
 * `coffer audit verify` lists these events, so an accepted gap stays visible.
 */
export function auditGapAcknowledgedEvent(input: {
  accountId: string;
  region: string;
  time: number;
  gap: JournalGap;
  preservedIndex: string | undefined;
}): AuditEvent {
  const { gap } = input;
  return localOperatorEvent({
    accountId: input.accountId,
    region: input.region,
    time: input.time,
    eventName: auditGapAcknowledgedEventName,
    command: "coffer serve --acknowledge-audit-gap",
    requestParameters: { acknowledgeAuditGap: true },
    responseElements: {
      gap: gap.kind,
      recordedHeadSeq: gap.recordedHead?.seq ?? null,
      recordedHeadHash: gap.recordedHead?.hash ?? null,
      foundSeq: gap.found?.seq ?? 0,
      foundHash: gap.found?.hash ?? null,
      preservedIndex: input.preservedIndex ?? null,
      finding: gap.message.slice(0, gap.message.indexOf(" Starting now")),
    },
  });
}
