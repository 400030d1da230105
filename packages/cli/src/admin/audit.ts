import type { AuditFilter, AuditLog, StoredAuditEvent } from "@coffer/server";
import type { Output } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { ExitCode } from "../exit-codes.js";
import { formatTable } from "../output.js";

/** Opens the data folder's audit trail read-only; loaded lazily so client commands never load the server. */
export type AuditTrailOpener = () => Promise<AuditLog>;

export const openLocalAuditTrail =
  (env: NodeJS.ProcessEnv): AuditTrailOpener =>
  async () => {
    const { openAuditTrail } = await import("@coffer/server");
    return openAuditTrail(env);
  };

export interface AuditContext {
  open: AuditTrailOpener;
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

export function filterFrom(options: AuditFilterOptions): AuditFilter {
  if (options.outcome !== undefined && !outcomes.has(options.outcome)) {
    throw new UsageError("--outcome takes allowed, denied, error or success");
  }
  return {
    secretId: options.secret,
    principal: options.principal,
    action: options.action,
    outcome: options.outcome as AuditFilter["outcome"],
    from: options.since === undefined ? undefined : parseTime(options.since, "--since"),
    to: options.until === undefined ? undefined : parseTime(options.until, "--until"),
  };
}

async function withTrail<T>(context: AuditContext, use: (log: AuditLog) => Promise<T>): Promise<T> {
  const log = await context.open();
  try {
    return await use(log);
  } finally {
    await log.close();
  }
}

export async function runAuditVerify(context: AuditContext, options: { anchor?: string }) {
  let anchor: { seq: number; hash: string } | undefined;
  if (options.anchor !== undefined) {
    const match = /^(\d+):([0-9a-f]{64})$/.exec(options.anchor);
    if (!match)
      throw new UsageError("--anchor takes SEQ:HASH as printed by an earlier `coffer audit verify`");
    anchor = { seq: Number(match[1]), hash: match[2] as string };
  }
  const result = await withTrail(context, (log) => log.verify(anchor ? { anchor } : {}));
  if (!result.ok) {
    throw new CliError(
      `audit trail ${result.problem} at event ${result.seq}: ${result.message}`,
      ExitCode.AuditTampered,
    );
  }
  context.stdout.write(
    `audit trail intact: ${result.count} events; head ${result.head.seq}:${result.head.hash}\n`,
  );
  context.stderr.write(
    "Keep the head line somewhere else; pass it later as --anchor to detect a rewritten tail.\n",
  );
}

function row(stored: StoredAuditEvent): string[] {
  const event = stored.event;
  return [
    String(stored.seq),
    event.eventTime,
    event.userIdentity.arn ?? event.userIdentity.accessKeyId ?? "-",
    event.eventName,
    event.resources?.[0]?.ARN ?? "-",
    event.errorCode ?? "OK",
    event.sourceIPAddress,
  ];
}

const headers = ["Seq", "Time", "Principal", "Action", "Secret", "Outcome", "Source"];

export async function runAuditQuery(
  context: AuditContext,
  options: AuditFilterOptions & { limit?: string; json?: boolean },
) {
  const limit = options.limit === undefined ? 100 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError("--limit takes 1 to 1000");
  const page = await withTrail(context, (log) => log.query({ ...filterFrom(options), limit, order: "desc" }));
  if (options.json) {
    context.stdout.write(page.events.map((stored) => `${JSON.stringify(stored.event)}\n`).join(""));
    return;
  }
  context.stdout.write(formatTable(headers, page.events.map(row)));
}

export async function runAuditExport(
  context: AuditContext,
  options: AuditFilterOptions & { chain?: boolean },
) {
  const filter = filterFrom(options);
  const count = await withTrail(context, (log) =>
    log.exportJsonLines(context.stdout as NodeJS.WritableStream as import("node:stream").Writable, filter, {
      chain: options.chain === true,
    }),
  );
  context.stderr.write(`exported ${count} events\n`);
}

export async function runAuditTail(
  context: AuditContext,
  options: { follow?: boolean; last?: string; json?: boolean },
  stopSignal?: AbortSignal,
) {
  const last = options.last === undefined ? 20 : Number(options.last);
  if (!Number.isInteger(last) || last < 0) throw new UsageError("--last takes a whole number");
  await withTrail(context, async (log) => {
    const head = await log.head();
    const tail = log.tail({
      follow: options.follow === true,
      fromSeq: Math.max(1, head.seq - last + 1),
      onEvent: (stored) => {
        context.stdout.write(
          options.json ? `${JSON.stringify(stored.event)}\n` : `${row(stored).join("  ")}\n`,
        );
      },
      signal: stopSignal,
    });
    await tail.done;
  });
}
