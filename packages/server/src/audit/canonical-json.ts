/**
 * Canonical JSON: the one byte sequence the audit hash chain is computed over.
 *
 * - object members sorted by key, comparing UTF-16 code units (JavaScript's default string order);
 * - no whitespace between tokens;
 * - strings and numbers written exactly as `JSON.stringify` writes them (shortest round-trip
 *   number form, `-0` as `0`, lone surrogates escaped);
 * - object members whose value is `undefined` are left out, as `JSON.stringify` does.
 *
 * For I-JSON values this is RFC 8785 (JCS), so anyone can recompute a hash with a JCS library.
 * Anything that does not serialize one obvious way is refused with a TypeError rather than guessed:
 * non-finite numbers, bigint, functions, symbols, `undefined` in arrays or at the top, and objects
 * that are not plain (Date, Buffer, Map, class instances).
 */
export function canonicalJson(value: unknown): string {
  return write(value, 0);
}

const MAX_DEPTH = 64;

/**
 * A JSON string literal, exactly as canonical JSON writes it. A string with nothing JSON.stringify
 * would escape (`"`, `\\`, control characters, surrogates: lone ones are escaped, and a paired one
 * is left to JSON.stringify too) is written as it is; the scan is a plain loop, cheaper than a
 * regular expression on the short strings of an audit line.
 */
export function quote(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff)) {
      return JSON.stringify(text);
    }
  }
  return `"${text}"`;
}

function write(value: unknown, depth: number): string {
  switch (typeof value) {
    case "string":
      return quote(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON has no form for the number ${value}`);
      return JSON.stringify(value);
    case "object":
      break;
    default:
      throw new TypeError(`canonical JSON has no form for a value of type ${typeof value}`);
  }
  if (value === null) return "null";
  if (depth >= MAX_DEPTH)
    throw new TypeError(`canonical JSON refuses values nested deeper than ${MAX_DEPTH}`);
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ",";
      const item: unknown = value[i];
      if (item === undefined) throw new TypeError("canonical JSON has no form for undefined in an array");
      out += write(item, depth + 1);
    }
    return `${out}]`;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError("canonical JSON accepts only plain objects and arrays");
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = "{";
  let first = true;
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    if (!first) out += ",";
    first = false;
    out += `${quote(key)}:${write(member, depth + 1)}`;
  }
  return `${out}}`;
}
