import { homedir } from "node:os";
import { join } from "node:path";
import type { Output } from "../context.js";
import { CliError, isAwsError, UsageError } from "../errors.js";
import { ExitCode } from "../exit-codes.js";
import { formatTable } from "../output.js";
import type { AdminCall } from "./admin-client.js";

/**
 * `coffer audit …` calls the audit operations of the admin API (`coffer.QueryAuditEvents`,
 * `coffer.TailAuditEvents`, `coffer.VerifyAuditTrail`): over HTTP, SigV4-signed, by default; or,
 * with `--data-dir`, the same operations run in this process over a data folder's files. Either
 * way the answers have one shape, so everything printed here is the same.
 */
export type AuditCall = AdminCall;

/** The audit operations over a data folder, loaded lazily so client commands never load the server. */
export interface LocalAudit {
  call: AuditCall;
  close(): Promise<void>;
}
export type LocalAuditOpener = (dataDir: string | true) => Promise<LocalAudit>;

/**
 * `--data-dir DIR`, or `--data-dir` alone for COFFER_HOME (default ~/.coffer); with COFFER_STORE
 * set to a PostgreSQL URL, that database's trail (several nodes: docs/multi-node.md). Creates nothing.
 */
export const openLocalAuditTrail =
  (env: NodeJS.ProcessEnv): LocalAuditOpener =>
  async (dataDir) => {
    const home = dataDir === true ? (env.COFFER_HOME ?? join(homedir(), ".coffer")) : dataDir;
    const { openLocalAuditApi } = await import("@coffer/server");
    // With COFFER_STORE on PostgreSQL, the trail every node writes is in that database.
    const api = await openLocalAuditApi(home, { store: env.COFFER_STORE });
    return {
      // A stopped follower returns at once; close() then ends the wait it left behind.
      call: (operation, input, options) =>
        options?.signal === undefined
          ? api.call(operation, input)
          : Promise.race([api.call(operation, input), aborted(options.signal)]),
      close: () => api.close(),
    };
  };

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    const fail = () => reject(new Error("stopped"));
    if (signal.aborted) fail();
    else signal.addEventListener("abort", fail, { once: true });
  });
}

export interface AuditContext {
  call: AuditCall;
  stdout: Output;
  stderr: Output;
}

export interface AuditFilterOptions {
  secret?: string;
  principal?: string;
  action?: string;
  outcome?: string;
  since?: string;
  until?: string;
}

const outcomes = new Set(["allowed", "denied", "error", "success"]);
/** The most the API answers at once. */
const PAGE = 1000;
const TAIL_WAIT_SECONDS = 20;

/** `--since 2026-11-28T10:00:00Z` or a duration back from now: `15m`, `24h`, `7d`. */
export function parseTime(text: string, option: string, now = Date.now()): Date {
  const relative = /^(\d+)([smhd])$/.exec(text);
  if (relative) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as "s" | "m" | "h" | "d"];
    return new Date(now - Number(relative[1]) * unit);
  }
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) {
    throw new UsageError(`${option} takes an ISO 8601 time or a duration like 15m, 24h, 7d; got "${text}"`);
  }
  return date;
}

/** The filters as `QueryAuditEvents` takes them (times as epoch seconds). */
export function filterFrom(options: AuditFilterOptions): Record<string, string | number | undefined> {
  if (options.outcome !== undefined && !outcomes.has(options.outcome)) {
    throw new UsageError("--outcome takes allowed, denied, error or success");
  }
  const seconds = (text: string | undefined, option: string) =>
    text === undefined ? undefined : parseTime(text, option).getTime() / 1000;
  return {
    SecretId: options.secret,
    Principal: options.principal,
    EventName: options.action,
    Outcome: options.outcome,
    StartTime: seconds(options.since, "--since"),
    EndTime: seconds(options.until, "--until"),
  };
}

/** One event of an answer: its place in the chain and the CloudTrail record. */
export interface AuditEntry {
  Seq: number;
  PrevHash?: string;
  Hash?: string;
  Event: AuditRecord;
}

interface AuditRecord {
  eventTime: string;
  eventName: string;
  userIdentity: { arn?: string; accessKeyId?: string };
  sourceIPAddress: string;
  errorCode?: string;
  requestParameters?: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  resources?: Array<{ ARN: string }>;
  additionalEventData?: Record<string, unknown>;
}

export async function runAuditVerify(context: AuditContext, options: { anchor?: string }) {
  let anchor: { AnchorSeq: number; AnchorHash: string } | undefined;
  if (options.anchor !== undefined) {
    const match = /^(\d+):([0-9a-f]{64})$/.exec(options.anchor);
    if (!match)
      throw new UsageError("--anchor takes SEQ:HASH as printed by an earlier `coffer audit verify`");
    anchor = { AnchorSeq: Number(match[1]), AnchorHash: match[2] as string };
  }
  const result = (await context.call("VerifyAuditTrail", anchor ?? {})) as {
    Intact: boolean;
    EventCount?: number;
    HeadSeq?: number;
    HeadHash?: string;
    Problem?: string;
    ProblemSeq?: number;
    Message?: string;
    AcknowledgedGaps?: Array<{
      Seq: number;
      EventTime: string;
      AcknowledgedBy: string;
      Gap: string;
      RecordedHeadSeq?: number;
      FoundSeq?: number;
    }>;
  };
  if (!result.Intact) {
    throw new CliError(
      `audit trail ${result.Problem} at event ${result.ProblemSeq}: ${result.Message}`,
      ExitCode.AuditTampered,
    );
  }
  context.stdout.write(
    `audit trail intact: ${result.EventCount} events; head ${result.HeadSeq}:${result.HeadHash}\n`,
  );
  for (const gap of result.AcknowledgedGaps ?? []) {
    const recorded = gap.RecordedHeadSeq === undefined ? "unreadable" : `seq ${gap.RecordedHeadSeq}`;
    context.stdout.write(
      `acknowledged gap at event ${gap.Seq} (${gap.EventTime}, accepted by ${gap.AcknowledgedBy}): ${gap.Gap}; ` +
        `the recorded head was ${recorded}, the trail then ended at seq ${gap.FoundSeq ?? 0}: the events in between were lost\n`,
    );
  }
  context.stderr.write(
    "Keep the head line somewhere else; pass it later as --anchor to detect a rewritten tail.\n",
  );
}

/**
 * The secret a call named: the ARN it touched, else the id it asked for (a denied or failed call
 * has no resolved ARN, but its request still names the secret).
 */
export function secretOf(event: AuditRecord): string {
  const named = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  // An audit query's SecretId is a search filter, not a secret it touched (the server's rule too).
  const request = event.eventName === "QueryAuditEvents" ? {} : (event.requestParameters ?? {});
  const list = Array.isArray(request.secretIdList) ? request.secretIdList.filter(named) : [];
  const first =
    list.length === 0 ? undefined : `${list[0]}${list.length > 1 ? ` (+${list.length - 1})` : ""}`;
  return (
    named(event.resources?.[0]?.ARN) ??
    named(request.secretId) ??
    named(request.name) ??
    named(event.responseElements?.name) ??
    first ??
    "-"
  );
}

/** The error code, `OK`, or `intent` for a change's write-ahead event (its outcome is another row). */
export function outcomeOf(event: AuditRecord): string {
  return event.errorCode ?? (event.additionalEventData?.auditPhase === "intent" ? "intent" : "OK");
}

function row(entry: AuditEntry): string[] {
  const event = entry.Event;
  return [
    String(entry.Seq),
    event.eventTime,
    event.userIdentity.arn || event.userIdentity.accessKeyId || "-",
    event.eventName,
    secretOf(event),
    outcomeOf(event),
    event.sourceIPAddress,
  ];
}

const headers = ["Seq", "Time", "Principal", "Action", "Secret", "Outcome", "Source"];

export async function runAuditQuery(
  context: AuditContext,
  options: AuditFilterOptions & { limit?: string; json?: boolean },
) {
  const limit = options.limit === undefined ? 100 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > PAGE) throw new UsageError("--limit takes 1 to 1000");
  const filter = filterFrom(options);
  const entries: AuditEntry[] = [];
  let token: string | undefined;
  // A page may stop short at the server's byte budget: go on until --limit events.
  do {
    const page = (await context.call("QueryAuditEvents", {
      ...filter,
      SortOrder: "desc",
      MaxResults: limit - entries.length,
      NextToken: token,
    })) as { Events: AuditEntry[]; NextToken?: string };
    entries.push(...page.Events);
    token = page.NextToken;
  } while (token !== undefined && entries.length < limit);
  if (options.json) {
    context.stdout.write(entries.map((entry) => `${JSON.stringify(entry.Event)}\n`).join(""));
    return;
  }
  context.stdout.write(formatTable(headers, entries.map(row)));
}

export async function runAuditExport(
  context: AuditContext,
  options: AuditFilterOptions & { chain?: boolean },
) {
  const { canonicalJson } = await import("@coffer/server/canonical-json");
  const filter = filterFrom(options);
  let token: string | undefined;
  let count = 0;
  do {
    const page = (await context.call("QueryAuditEvents", {
      ...filter,
      SortOrder: "asc",
      MaxResults: PAGE,
      IncludeChain: options.chain === true,
      NextToken: token,
    })) as { Events: AuditEntry[]; NextToken?: string };
    let chunk = "";
    for (const entry of page.Events) {
      chunk += options.chain
        ? canonicalJson({ seq: entry.Seq, prevHash: entry.PrevHash, hash: entry.Hash, event: entry.Event })
        : canonicalJson(entry.Event);
      chunk += "\n";
    }
    await write(context.stdout, chunk);
    count += page.Events.length;
    token = page.NextToken;
  } while (token !== undefined);
  context.stderr.write(`exported ${count} events\n`);
}

/**
 * The last events, then (`--follow`) new ones as they are committed: a long-poll of up to 20 s per
 * request, so a quiet trail costs one request, and one audit event, every 20 s. Tails never show
 * the successful `TailAuditEvents` calls that are their own polling.
 */
export async function runAuditTail(
  context: AuditContext,
  options: { follow?: boolean; last?: string; json?: boolean },
  stopSignal?: AbortSignal,
) {
  const last = options.last === undefined ? 20 : Number(options.last);
  if (!Number.isInteger(last) || last < 0 || last > PAGE) throw new UsageError("--last takes 0 to 1000");
  const print = (entries: AuditEntry[]) =>
    write(
      context.stdout,
      entries
        .map((entry) => (options.json ? JSON.stringify(entry.Event) : row(entry).join("  ")))
        .map((line) => `${line}\n`)
        .join(""),
    );
  type TailAnswer = { Events: AuditEntry[]; NextSeq: number; HeadSeq: number };
  const first = (await context.call("TailAuditEvents", { Last: last, MaxResults: PAGE })) as TailAnswer;
  await print(first.Events);
  let next = first.NextSeq;
  while (next <= first.HeadSeq) {
    const answer = (await context.call("TailAuditEvents", {
      StartSeq: next,
      MaxResults: PAGE,
    })) as TailAnswer;
    await print(answer.Events);
    if (answer.NextSeq === next) break;
    next = answer.NextSeq;
  }
  if (options.follow !== true) return;
  context.stderr.write("Following new events (Ctrl+C to stop).\n");
  while (!stopSignal?.aborted) {
    let answer: TailAnswer;
    try {
      answer = (await context.call(
        "TailAuditEvents",
        { StartSeq: next, MaxResults: PAGE, WaitTimeSeconds: TAIL_WAIT_SECONDS },
        { signal: stopSignal },
      )) as TailAnswer;
    } catch (error) {
      if (stopSignal?.aborted) return;
      if (!isAwsError(error, "ThrottlingException")) throw error;
      await pause(1000, stopSignal);
      continue;
    }
    await print(answer.Events);
    next = answer.NextSeq;
  }
}

function write(out: Output, text: string): Promise<void> {
  if (text === "") return Promise.resolve();
  const stream = out as Output & { once?: (event: "drain", listener: () => void) => unknown };
  if (out.write(text) !== false || typeof stream.once !== "function") return Promise.resolve();
  return new Promise((resolve) => stream.once?.("drain", resolve));
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
