/**
 * URI encoding as SigV4 defines it (RFC 3986): every byte of the UTF-8 form is percent-encoded with
 * upper-case hex, except the unreserved characters A-Z a-z 0-9 - . _ ~ (and "/" when encoding a path).
 */

const ALL_UNRESERVED = /^[A-Za-z0-9\-._~]*$/;
const ALL_UNRESERVED_OR_SLASH = /^[A-Za-z0-9\-._~/]*$/;
const HEX = "0123456789ABCDEF";
const SLASH = 0x2f;
const PERCENT = 0x25;

function isUnreservedByte(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    byte === 0x2d || // -
    byte === 0x2e || // .
    byte === 0x5f || // _
    byte === 0x7e // ~
  );
}

function encodeBytes(bytes: Uint8Array, keepSlash: boolean): string {
  let out = "";
  for (const byte of bytes) {
    if (isUnreservedByte(byte) || (keepSlash && byte === SLASH)) out += String.fromCharCode(byte);
    else out += `%${HEX[byte >> 4]}${HEX[byte & 0xf]}`;
  }
  return out;
}

/** RFC 3986 encoding of a raw (decoded) string. */
export function uriEncode(value: string): string {
  // Almost every name and value on the hot path needs no encoding at all: skip the UTF-8 round trip.
  if (ALL_UNRESERVED.test(value)) return value;
  return encodeBytes(Buffer.from(value, "utf8"), false);
}

/** RFC 3986 encoding that leaves "/" alone, for URI paths. */
export function uriEncodePath(value: string): string {
  if (ALL_UNRESERVED_OR_SLASH.test(value)) return value;
  return encodeBytes(Buffer.from(value, "utf8"), true);
}

function hexDigitValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1;
}

/**
 * Re-encodes a component that arrived percent-encoded on the wire into its canonical RFC 3986 form,
 * i.e. `uriEncode(percentDecode(value))`, without decoding to text in between: working on bytes means
 * escapes that are not valid UTF-8 survive unchanged instead of throwing, and "%7e" / "%2f" come out
 * as "~" / "%2F" as any client's signer would have written them. A "%" that starts no valid escape is
 * taken literally (and encoded as "%25").
 */
export function canonicalizeEncoded(value: string): string {
  if (ALL_UNRESERVED.test(value)) return value;
  const utf8 = Buffer.from(value, "utf8");
  const bytes = new Uint8Array(utf8.length);
  let length = 0;
  for (let i = 0; i < utf8.length; i++) {
    const byte = utf8[i] as number;
    if (byte === PERCENT && i + 2 < utf8.length) {
      const high = hexDigitValue(utf8[i + 1] as number);
      const low = hexDigitValue(utf8[i + 2] as number);
      if (high >= 0 && low >= 0) {
        bytes[length++] = (high << 4) | low;
        i += 2;
        continue;
      }
    }
    bytes[length++] = byte;
  }
  return encodeBytes(bytes.subarray(0, length), false);
}
