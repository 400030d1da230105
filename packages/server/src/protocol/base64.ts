/**
 * Strict Base64 for blob members. `Buffer.from(text, "base64")` silently skips characters outside the
 * alphabet, so a typo in SecretBinary would store different bytes than the client meant; we accept
 * only canonical padded standard Base64 (RFC 4648 §4: no whitespace, no URL-safe alphabet).
 */

// With the length-multiple-of-4 check below this admits exactly the padded standard encodings.
const PADDED_STANDARD_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Returns the number of bytes `text` decodes to, or -1 when it is not strict Base64.
 * Computed from the length alone, so validating a 64 KiB secret never decodes it.
 */
export function strictBase64DecodedLength(text: string): number {
  if (text.length % 4 !== 0 || !PADDED_STANDARD_BASE64.test(text)) return -1;
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}
