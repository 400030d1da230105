import { createHmac, timingSafeEqual } from "node:crypto";

/** Unix seconds when Coffer sent the request. */
export const timestampHeader = "x-coffer-timestamp";
/** `v1=<hex HMAC-SHA256 of "<timestamp>.<body>" under the webhook's shared secret>`. */
export const signatureHeader = "x-coffer-signature";

/** The signature of one delivery: HMAC-SHA256 over `<timestamp>.<raw body>`, hex, prefixed `v1=`. */
export function signWebhook(secret: string | Buffer, timestamp: string, body: string | Buffer): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex")}`;
}

/**
 * What a receiver does (see docs/rotation.md for Python): recompute the signature over the raw body,
 * compare in constant time, and refuse a timestamp more than `toleranceSeconds` from its clock.
 */
export function verifyWebhook(input: {
  secret: string | Buffer;
  timestamp: string | undefined;
  signature: string | undefined;
  body: string | Buffer;
  nowSeconds: number;
  toleranceSeconds?: number;
}): boolean {
  const { timestamp, signature } = input;
  if (timestamp === undefined || signature === undefined || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(input.nowSeconds - Number(timestamp)) > (input.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(input.secret, timestamp, input.body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
