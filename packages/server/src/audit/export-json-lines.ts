import type { Writable } from "node:stream";
import type { AuditFilter, AuditPage, AuditQuery } from "./audit-query.js";
import { canonicalJson } from "./canonical-json.js";

export interface ExportOptions {
  /**
   * Write `{"event":…,"hash":…,"prevHash":…,"seq":…}` lines instead of bare CloudTrail records, so
   * the receiver can check the chain itself. Default false.
   */
  chain?: boolean | undefined;
  pageSize?: number | undefined;
}

/**
 * Writes the matching events to `out`, one JSON object per line (JSON Lines, as SIEM collectors
 * ingest CloudTrail), oldest first unless `filter.order` says otherwise. Honors back-pressure and
 * leaves `out` open. Resolves with the number of lines written.
 */
export async function exportJsonLines(
  source: { query(query: AuditQuery): Promise<AuditPage> },
  out: Writable,
  filter: AuditFilter = {},
  options: ExportOptions = {},
): Promise<number> {
  const limit = options.pageSize ?? 500;
  let after: number | undefined;
  let written = 0;
  for (;;) {
    const page = await source.query({ ...filter, limit, after });
    if (page.events.length > 0) {
      let chunk = "";
      for (const stored of page.events) {
        chunk += options.chain === true ? canonicalJson(stored) : canonicalJson(stored.event);
        chunk += "\n";
      }
      if (out.destroyed || out.writableEnded)
        throw new Error("The export output was closed before the export finished");
      if (!out.write(chunk)) await drained(out);
      written += page.events.length;
    }
    if (page.nextAfter === undefined) return written;
    after = page.nextAfter;
  }
}

function drained(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      out.off("drain", onDrain);
      out.off("error", onError);
      out.off("close", onClose);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onDrain = () => settle();
    const onError = (error: Error) => settle(error);
    const onClose = () => settle(new Error("The export output was closed before the export finished"));
    out.on("drain", onDrain);
    out.on("error", onError);
    out.on("close", onClose);
  });
}
