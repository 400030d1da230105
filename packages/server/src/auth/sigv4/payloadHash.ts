import { InvalidSignatureException } from "../../errors/catalog.js";
import { headerValue } from "./headerValue.js";
import { sha256Hex } from "./sha256.js";

/**
 * The payload hash line of the canonical request: always the hash of the body actually received.
 *
 * A client may also send the hash in `x-amz-content-sha256` (the JS SDK does). Its value is what the
 * client signed, so it must equal the real hash, or a signed request could carry a swapped body.
 * It is checked whether signed or not: an unsigned header that lies about the body is never useful.
 * Values like "UNSIGNED-PAYLOAD" are an S3 feature and fail this check like any other mismatch.
 */
export function payloadHash(headers: Record<string, string | string[] | undefined>, body: Buffer): string {
  const computed = sha256Hex(body);
  const declared = headerValue(headers["x-amz-content-sha256"]);
  if (declared !== undefined && declared !== computed) {
    throw new InvalidSignatureException(
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }
  return computed;
}
