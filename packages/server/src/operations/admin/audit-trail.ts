import type { AuditOutcomeFilter, StoredAuditEvent } from "../../audit/audit-query.js";
import {
  type AuditReader,
  AuditReaderBusyError,
  AuditStartBeyondHeadError,
  InvalidAuditCursorError,
} from "../../audit/audit-reader.js";
import {
  InvalidNextTokenException,
  InvalidParameterException,
  ThrottlingException,
} from "../../errors/catalog.js";

/** The audit operations need only the reader; `coffer audit --data-dir` runs them with one over a local trail. */
export type AuditOperation = (
  input: Record<string, unknown>,
  context: unknown,
  services: { audit: AuditReader },
) => Promise<object>;

interface QueryInput {
  SecretId?: string;
  Principal?: string;
  EventName?: string;
  Outcome?: AuditOutcomeFilter;
  StartTime?: number | string;
  EndTime?: number | string;
  SortOrder?: "asc" | "desc";
  MaxResults?: number;
  NextToken?: string;
  IncludeChain?: boolean;
}

/** Events matching filters, newest first unless SortOrder is asc; paginated over a snapshot of the trail. */
export const queryAuditEvents: AuditOperation = async (raw, _context, { audit }) => {
  const input = raw as QueryInput;
  const page = await mapReaderErrors(() =>
    audit.queryPage({
      secretId: input.SecretId,
      principal: input.Principal,
      action: input.EventName,
      outcome: input.Outcome,
      from: dateOf(input.StartTime),
      to: dateOf(input.EndTime),
      order: input.SortOrder ?? "desc",
      limit: input.MaxResults ?? 100,
      nextToken: input.NextToken,
    }),
  );
  return {
    Events: page.events.map((stored) => eventToWire(stored, input.IncludeChain === true)),
    ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {}),
  };
};

interface TailInput {
  StartSeq?: number;
  Last?: number;
  MaxResults?: number;
  WaitTimeSeconds?: number;
}

/** Events in commit order from StartSeq (tail polls left out); WaitTimeSeconds makes it a long-poll. */
export const tailAuditEvents: AuditOperation = async (raw, _context, { audit }) => {
  const input = raw as TailInput;
  const answer = await mapReaderErrors(() =>
    audit.tail({
      startSeq: input.StartSeq,
      last: input.Last,
      limit: input.MaxResults ?? 100,
      waitMs: (input.WaitTimeSeconds ?? 0) * 1000,
    }),
  );
  return {
    Events: answer.events.map((stored) => eventToWire(stored, false)),
    NextSeq: answer.nextSeq,
    HeadSeq: answer.headSeq,
  };
};

/** Walks the hash chain; an intact trail answers its head, a broken one where and how it breaks. */
export const verifyAuditTrail: AuditOperation = async (raw, _context, { audit }) => {
  const input = raw as { AnchorSeq?: number; AnchorHash?: string };
  if ((input.AnchorSeq === undefined) !== (input.AnchorHash === undefined)) {
    throw new InvalidParameterException("AnchorSeq and AnchorHash go together: give both or neither.");
  }
  const anchor =
    input.AnchorSeq !== undefined && input.AnchorHash !== undefined
      ? { seq: input.AnchorSeq, hash: input.AnchorHash }
      : undefined;
  const result = await audit.verify(anchor ? { anchor } : {});
  if (result.ok) {
    return {
      Intact: true,
      EventCount: result.count,
      HeadSeq: result.head.seq,
      HeadHash: result.head.hash,
      // Starts that accepted a lost tail: the chain is whole since, but events before were lost.
      ...(result.acknowledgedGaps
        ? {
            AcknowledgedGaps: result.acknowledgedGaps.map((gap) => ({
              Seq: gap.seq,
              EventTime: gap.eventTime,
              AcknowledgedBy: gap.acknowledgedBy,
              Gap: gap.gap,
              RecordedHeadSeq: gap.recordedHeadSeq,
              FoundSeq: gap.foundSeq,
            })),
          }
        : {}),
    };
  }
  return { Intact: false, Problem: result.problem, ProblemSeq: result.seq, Message: result.message };
};

function eventToWire(stored: StoredAuditEvent, chain: boolean) {
  return chain
    ? { Seq: stored.seq, PrevHash: stored.prevHash, Hash: stored.hash, Event: stored.event }
    : { Seq: stored.seq, Event: stored.event };
}

function dateOf(value: number | string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  // Epoch seconds with a fraction: round, or 0.123 s could land on 122 ms.
  return typeof value === "number" ? new Date(Math.round(value * 1000)) : new Date(value);
}

async function mapReaderErrors<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof InvalidAuditCursorError) throw new InvalidNextTokenException(error.message);
    if (error instanceof AuditReaderBusyError) throw new ThrottlingException(error.message);
    if (error instanceof AuditStartBeyondHeadError) throw new InvalidParameterException(error.message);
    throw error;
  }
}
