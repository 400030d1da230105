import type { AuditEvent } from "./event.js";

/** An event as stored: its place in the hash chain and the record itself. */
export interface StoredAuditEvent {
  seq: number;
  prevHash: string;
  hash: string;
  event: AuditEvent;
}

/** The last link of the chain: publish it elsewhere now and then to anchor the trail. */
export interface ChainHead {
  /** 0 for an empty trail. */
  seq: number;
  hash: string;
}

/**
 * `success`: answered normally. `denied`: refused by authentication or authorization.
 * `error`: let through, then failed (not found, invalid parameter, internal error…).
 * `allowed`: not denied (success or error).
 */
export type AuditOutcomeFilter = "allowed" | "denied" | "error" | "success";

export interface AuditFilter {
  /** A name, full ARN or partial ARN: matches calls that named the secret any of these ways. */
  secretId?: string | undefined;
  /** A principal ARN (starts with `arn:`) or an access key id. */
  principal?: string | undefined;
  /** The operation, e.g. "GetSecretValue". */
  action?: string | undefined;
  outcome?: AuditOutcomeFilter | undefined;
  /** eventTime ≥ from. */
  from?: Date | undefined;
  /** eventTime < to. */
  to?: Date | undefined;
  /** Chronological (by eventTime, then seq) oldest first ("asc", the default) or newest first. */
  order?: "asc" | "desc" | undefined;
}

export interface AuditQuery extends AuditFilter {
  /** 1 to {@link MAX_QUERY_LIMIT}. */
  limit: number;
  /**
   * Cursor: the seq of the last event of the previous page (its `nextAfter`); the page continues
   * strictly after that event in the query's order.
   */
  after?: number | undefined;
  /**
   * Only events with seq ≤ maxSeq: pins a paginated query to the trail as it was at its first page,
   * so events appended while it pages (whatever their eventTime) neither shift nor join its pages.
   */
  maxSeq?: number | undefined;
}

export interface AuditPage {
  events: StoredAuditEvent[];
  /** Set when the page is full: the `after` of the next page. */
  nextAfter: number | undefined;
}

export const MAX_QUERY_LIMIT = 1000;
const outcomes: ReadonlySet<string> = new Set(["allowed", "denied", "error", "success"]);

/** Throws a RangeError naming the first bad field of a query. */
export function checkAuditQuery(query: AuditQuery): void {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_QUERY_LIMIT) {
    throw new RangeError(`limit must be an integer from 1 to ${MAX_QUERY_LIMIT}`);
  }
  if (query.after !== undefined && (!Number.isInteger(query.after) || query.after < 0)) {
    throw new RangeError("after must be a non-negative integer (a seq)");
  }
  if (query.maxSeq !== undefined && (!Number.isInteger(query.maxSeq) || query.maxSeq < 0)) {
    throw new RangeError("maxSeq must be a non-negative integer (a seq)");
  }
  if (query.outcome !== undefined && !outcomes.has(query.outcome)) {
    throw new RangeError("outcome must be one of allowed, denied, error, success");
  }
  if (query.order !== undefined && query.order !== "asc" && query.order !== "desc") {
    throw new RangeError("order must be asc or desc");
  }
  for (const [name, date] of [
    ["from", query.from],
    ["to", query.to],
  ] as const) {
    if (date !== undefined && !(date instanceof Date && Number.isFinite(date.getTime()))) {
      throw new RangeError(`${name} must be a valid Date`);
    }
  }
}
