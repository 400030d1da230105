/**
 * PostgreSQL TEXT cannot hold U+0000, but an index value can (a SecretId sent as "a\u0000b" is
 * indexed as the caller named it; the event JSON itself escapes it). Index columns therefore hold a
 * reversible escape: `\` → `\\`, U+0000 → `\0`. Without it one request naming such a secret would
 * fail its whole batch and put the trail, and so the server, into an outage.
 */
export function toIndexText(value: string): string {
  if (!value.includes("\\") && !value.includes("\u0000")) return value;
  return value.replaceAll("\\", "\\\\").replaceAll("\u0000", "\\0");
}

export function fromIndexText(value: string): string {
  if (!value.includes("\\")) return value;
  return value.replace(/\\(\\|0)/g, (_, escaped: string) => (escaped === "0" ? "\u0000" : "\\"));
}
