import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { AUDIT_EVENT_SOURCE, AUDIT_EVENT_VERSION, type AuditEvent } from "../audit/event.js";
import { auditGapAcknowledgedEventName } from "../audit/verify-chain.js";
import type { JournalGap } from "../storage/file/journal-integrity.js";
import { localOperatorIdentity } from "./local-operator.js";

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
  return {
    eventVersion: AUDIT_EVENT_VERSION,
    userIdentity: localOperatorIdentity(input.accountId),
    eventTime: new Date(input.time).toISOString(),
    eventSource: AUDIT_EVENT_SOURCE,
    eventName: auditGapAcknowledgedEventName,
    awsRegion: input.region,
    sourceIPAddress: "localhost",
    userAgent: `coffer serve --acknowledge-audit-gap (host ${hostname()}, pid ${process.pid})`,
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
    requestID: randomUUID(),
    eventID: randomUUID(),
    readOnly: false,
    eventType: "AwsApiCall",
    managementEvent: true,
    eventCategory: "Management",
    recipientAccountId: input.accountId,
  };
}
