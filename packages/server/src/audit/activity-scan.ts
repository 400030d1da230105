/**
 * The bounded scan behind the activity figures: the most recent events of a time range, newest
 * first, page by page through the {@link AuditReader} (so a scan reads the trail as a query does,
 * through its index, and pins itself to the trail as it was when it started).
 */
import type { AuditFilter } from "./audit-query.js";
import type { AuditReader } from "./audit-reader.js";
import type { AuditEvent } from "./event.js";

/** The most events one activity answer scans; past it the answer says `Truncated`. */
export const MAX_SCANNED_EVENTS = 20_000;
const PAGE = 1000;

/**
 * Hands each event of [from, to) matching `filter` to `visit`, newest first, up to `maxEvents`.
 * Resolves whether events were left unscanned (the range held more).
 */
export async function scanRecentEvents(
  reader: Pick<AuditReader, "queryPage">,
  filter: Omit<AuditFilter, "order">,
  visit: (event: AuditEvent) => void,
  maxEvents: number = MAX_SCANNED_EVENTS,
): Promise<{ truncated: boolean; scanned: number }> {
  let scanned = 0;
  let nextToken: string | undefined;
  for (;;) {
    const page = await reader.queryPage({
      ...filter,
      order: "desc",
      limit: Math.min(PAGE, maxEvents - scanned),
      nextToken,
    });
    for (const stored of page.events) visit(stored.event);
    scanned += page.events.length;
    nextToken = page.nextToken;
    if (nextToken === undefined || page.events.length === 0) return { truncated: false, scanned };
    if (scanned >= maxEvents) return { truncated: true, scanned };
  }
}
