/** Formatting shared by commands: tables and field lists for people, JSON for scripts. */

/** ISO 8601 to the second, which is all the service stores; "-" when absent. */
export function formatDate(date: Date | undefined): string {
  if (date === undefined) return "-";
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

// Names, descriptions and tags come from the server; control characters in them must not be able to
// break the table layout or send escape sequences to the terminal.
function printable(text: string): string {
  return text.replace(/\p{Cc}/gu, " ");
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const cells = [headers, ...rows].map((row) => headers.map((_, column) => printable(row[column] ?? "")));
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? "").length)));
  return cells
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join("");
}

/** "Label: value" lines with the values aligned. */
export function formatFields(fields: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(0, ...fields.map(([label]) => label.length + 1));
  return fields.map(([label, value]) => `${`${label}:`.padEnd(width)}  ${printable(value)}\n`).join("");
}

/**
 * Pretty JSON with a trailing newline. Dates become ISO strings (Date.toJSON), binary becomes base64,
 * and the SDK's `$metadata` (HTTP status, request id, retry counts) is dropped: it describes the
 * transport, not the secret.
 */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, jsonReplacer, 2)}\n`;
}

function jsonReplacer(key: string, value: unknown): unknown {
  if (key === "$metadata") return undefined;
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  return value;
}
