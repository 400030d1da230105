import { IncompleteSignatureException } from "../../errors/catalog.js";

const MAX_CACHED_LISTS = 256;
const cachedLists = new Map<string, readonly string[]>();

/**
 * The header names of a `SignedHeaders` value ("content-type;host;x-amz-date"), checked to contain
 * no empty name and to include `host` (IncompleteSignatureException otherwise).
 *
 * A client sends the same few lists over and over, and splitting one costs more than the rest of the
 * header parsing together, so valid lists are memoized (bounded, oldest evicted first: a client
 * inventing lists only causes re-splitting). The arrays are shared: callers must not modify them.
 */
export function signedHeaderNames(signedHeaders: string): readonly string[] {
  const cached = cachedLists.get(signedHeaders);
  if (cached !== undefined) return cached;

  const names = signedHeaders.split(";");
  if (names.includes("")) {
    throw new IncompleteSignatureException(
      "Authorization header's 'SignedHeaders' must be a ';'-separated list of header names, with no empty name.",
    );
  }
  if (!names.includes("host")) {
    throw new IncompleteSignatureException(
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
  }
  if (cachedLists.size >= MAX_CACHED_LISTS) {
    const oldest = cachedLists.keys().next();
    if (oldest.done !== true) cachedLists.delete(oldest.value);
  }
  const frozen = Object.freeze(names);
  cachedLists.set(signedHeaders, frozen);
  return frozen;
}
