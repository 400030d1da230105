import { canonicalizeEncoded } from "./uriEncode.js";

/**
 * Canonical query string: every `name=value` pair re-encoded with RFC 3986 rules, sorted by encoded
 * name and then by encoded value, joined with "&". A parameter without "=" gets an empty value, as
 * the spec and botocore do. Empty pieces ("a=1&&b=2") carry no parameter and are dropped.
 *
 * `rawQuery` is the part after "?", as it arrived on the wire (still percent-encoded).
 */
export function canonicalQuery(rawQuery: string): string {
  if (rawQuery === "") return "";
  const pairs: Array<[name: string, value: string]> = [];
  for (const piece of rawQuery.split("&")) {
    if (piece === "") continue;
    const equals = piece.indexOf("=");
    const name = equals === -1 ? piece : piece.slice(0, equals);
    const value = equals === -1 ? "" : piece.slice(equals + 1);
    pairs.push([canonicalizeEncoded(name), canonicalizeEncoded(value)]);
  }
  // The encoded strings are pure ASCII, so comparing code units is the byte order the spec asks for.
  pairs.sort(([nameA, valueA], [nameB, valueB]) => compare(nameA, nameB) || compare(valueA, valueB));
  let out = "";
  for (const [name, value] of pairs) out += out === "" ? `${name}=${value}` : `&${name}=${value}`;
  return out;
}

function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
