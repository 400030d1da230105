import { IncompleteSignatureException } from "../../errors/catalog.js";

const SPACE = 0x20;
const TAB = 0x09;

/**
 * A header value as SigV4 canonicalizes it: runs of spaces (and tabs, as the AWS SDKs and botocore
 * also treat them) collapsed to one space, leading and trailing ones removed.
 */
export function canonicalHeaderValue(value: string): string {
  if (!needsWhitespaceFix(value)) return value;
  return value.replace(/[ \t]+/g, " ").replace(/^ | $/g, "");
}

// Node already trims the values it hands us, so this check is usually the whole cost; plain
// character scans beat a regular expression here.
function needsWhitespaceFix(value: string): boolean {
  if (value.length === 0) return false;
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  return (
    first === SPACE ||
    first === TAB ||
    last === SPACE ||
    last === TAB ||
    value.includes("  ") ||
    value.includes("\t")
  );
}

/**
 * The canonical headers block (`name:value\n` per signed header, in the order the client listed
 * them, which the spec requires to be sorted). Node delivers the few headers it does not merge into
 * one string as arrays. Throws IncompleteSignatureException when a header the client says it signed
 * is not in the request.
 */
export function canonicalHeaders(
  headers: Record<string, string | string[] | undefined>,
  signedHeaderNames: readonly string[],
): string {
  let block = "";
  for (const name of signedHeaderNames) {
    const value = headers[name];
    if (value === undefined) {
      throw new IncompleteSignatureException(
        `Header '${name}' is listed in the Authorization header's 'SignedHeaders' but is not present in the request.`,
      );
    }
    // Each value of a repeated header is trimmed on its own, then they are joined with ",".
    const canonical =
      typeof value === "string" ? canonicalHeaderValue(value) : value.map(canonicalHeaderValue).join(",");
    block += `${name}:${canonical}\n`;
  }
  return block;
}
