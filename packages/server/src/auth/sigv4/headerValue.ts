/**
 * One string for a header as Node delivers it. Node already merges most duplicate headers into one
 * comma-separated string; the few it keeps as arrays are joined with "," as SigV4 joins multi-valued
 * headers.
 */
export function headerValue(value: string | string[] | undefined): string | undefined {
  if (value === undefined || typeof value === "string") return value;
  return value.join(",");
}
