import { IncompleteSignatureException } from "../../errors/catalog.js";

/**
 * Headers that decide who is calling, what is asked and how the body is read. Node keeps only the
 * first `Authorization`, `Host` or `Content-Type` and joins repeated `x-amz-*` values with ", ", so
 * a repeat would be resolved silently and differently by a proxy in front: it is refused instead.
 */
const SINGLE = new Set([
  "authorization",
  "host",
  "date",
  "content-type",
  "x-amz-date",
  "x-amz-target",
  "x-amz-security-token",
  "x-amz-content-sha256",
]);

/**
 * Throws IncompleteSignatureException when one of the headers above appears more than once in
 * `rawHeaders` (Node's `IncomingMessage.rawHeaders`: name, value, name, value, … as received).
 */
export function checkRepeatedHeaders(rawHeaders: readonly string[]): void {
  let seen: Set<string> | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? "").toLowerCase();
    if (!SINGLE.has(name)) continue;
    seen ??= new Set();
    if (seen.has(name)) {
      throw new IncompleteSignatureException(
        `The request has more than one '${name}' header; send each of ${[...SINGLE].join(", ")} at most once.`,
      );
    }
    seen.add(name);
  }
}
