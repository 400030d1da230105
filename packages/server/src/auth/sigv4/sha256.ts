import * as crypto from "node:crypto";

// `crypto.hash` (Node >= 20.12) hashes in one call without building a Hash object; the engines
// field still admits 20.10, hence the fallback.
const oneShotHash = typeof crypto.hash === "function" ? crypto.hash : undefined;

/** Lower-case hex SHA-256 of a string (as UTF-8) or of bytes. */
export function sha256Hex(data: string | Buffer): string {
  if (oneShotHash !== undefined) return oneShotHash("sha256", data, "hex");
  return crypto.createHash("sha256").update(data).digest("hex");
}

/** HMAC-SHA256 of a string (as UTF-8), as raw bytes. */
export function hmacSha256(key: Buffer | string, data: string): Buffer {
  return crypto.createHmac("sha256", key).update(data).digest();
}
