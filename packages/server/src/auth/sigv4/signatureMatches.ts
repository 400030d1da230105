import { timingSafeEqual } from "node:crypto";

const SIGNATURE_LENGTH = 64; // hex digits of a SHA-256 HMAC

// Verification is synchronous, so two module-level scratch buffers serve every call without allocating.
const expectedBytes = Buffer.alloc(SIGNATURE_LENGTH);
const providedBytes = Buffer.alloc(SIGNATURE_LENGTH);

/**
 * Compares the signature the client sent with the expected one, both as hex text, in constant time
 * (crypto.timingSafeEqual), so response timing reveals nothing about how many leading characters
 * were right. The spec prescribes lower-case hex, and the expected value is lower-case hex, so
 * upper-case or non-hex input simply does not match.
 */
export function signatureMatches(expectedHex: string, provided: string): boolean {
  // timingSafeEqual needs equal lengths. A 64-character string with any non-ASCII character needs
  // more than 64 UTF-8 bytes, so the write comes up short and it is rejected here too.
  if (provided.length !== SIGNATURE_LENGTH) return false;
  if (providedBytes.write(provided, 0, "utf8") !== SIGNATURE_LENGTH) return false;
  expectedBytes.write(expectedHex, 0, "latin1");
  return timingSafeEqual(expectedBytes, providedBytes);
}
