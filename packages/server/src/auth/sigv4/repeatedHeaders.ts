import { IncompleteSignatureException } from "../../errors/catalog.js";

/**
 * Headers that decide who is calling, what is asked and how the body is read. Node keeps only the
 * first `Authorization`, `Host` or `Content-Type` and joins repeated `x-amz-*` values with ", ", so
 * a repeat would be resolved silently and differently by a proxy in front: it is refused instead.
 */
const SINGLE = [
  "authorization",
  "host",
  "date",
  "content-type",
  "x-amz-date",
  "x-amz-target",
  "x-amz-security-token",
  "x-amz-content-sha256",
] as const;

/** Each name's bit in the mask of names seen so far. */
const BIT = new Map<string, number>(SINGLE.map((name, i) => [name, 1 << i]));

/** The lengths of those names: any other header is skipped without being lower-cased. */
const MIN_LENGTH = Math.min(...SINGLE.map((name) => name.length));
const MAX_LENGTH = Math.max(...SINGLE.map((name) => name.length));
const LENGTHS = new Uint8Array(MAX_LENGTH + 1);
for (const name of SINGLE) LENGTHS[name.length] = 1;

/**
 * Throws IncompleteSignatureException when one of the headers above appears more than once in
 * `rawHeaders` (Node's `IncomingMessage.rawHeaders`: name, value, name, value, … as received).
 *
 * This walks every header of every request, so it allocates nothing: a length filter, then one map
 * lookup and a bit mask.
 */
export function checkRepeatedHeaders(rawHeaders: readonly string[]): void {
  let seen = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const raw = rawHeaders[i] as string;
    const length = raw.length;
    if (length < MIN_LENGTH || length > MAX_LENGTH || LENGTHS[length] === 0) continue;
    const name = raw.toLowerCase();
    const bit = BIT.get(name);
    if (bit === undefined) continue;
    if ((seen & bit) !== 0) {
      throw new IncompleteSignatureException(
        `The request has more than one '${name}' header; send each of ${SINGLE.join(", ")} at most once.`,
      );
    }
    seen |= bit;
  }
}
