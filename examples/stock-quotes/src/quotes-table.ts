import type { IntradayBar } from "./alpha-vantage.js";

export interface QuotesTableOptions {
  /** How many of the latest bars to show; default 10. */
  limit?: number;
  /** Shown in the time column's heading, e.g. "US/Eastern". */
  timeZone?: string;
}

const volumeFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/**
 * The latest `limit` bars, newest first, as a plain-text table:
 *
 * ```text
 * time (US/Eastern)        open      high       low     close     volume
 * -------------------  --------  --------  --------  --------  ---------
 * 2024-11-27 15:55:00  234.8700  235.0400  234.6500  234.9300  1,658,094
 * ```
 */
export function formatQuotesTable(bars: readonly IntradayBar[], options: QuotesTableOptions = {}): string {
  const { limit = 10, timeZone } = options;
  const latest = [...bars].sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0)).slice(0, limit);
  if (latest.length === 0) return "no bars";

  const heading = ["time", "open", "high", "low", "close", "volume"];
  if (timeZone) heading[0] = `time (${timeZone})`;
  const rows = latest.map((bar) => [
    bar.time,
    bar.open.toFixed(4),
    bar.high.toFixed(4),
    bar.low.toFixed(4),
    bar.close.toFixed(4),
    volumeFormat.format(bar.volume),
  ]);
  const widths = heading.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  // The time column is left-aligned, the numbers right-aligned.
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join("  ")
      .trimEnd();
  return [line(heading), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}
