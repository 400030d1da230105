import { createHash, randomBytes } from "node:crypto";

/** AES-256 keys, both for key-encryption keys and for per-version data keys. */
export const KEY_BYTES = 32;

// Domain-separates the id hash so a key id can never collide with any other SHA-256 we publish.
const KEY_ID_LABEL = "coffer/kek-id/v1\0";

export function generateKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/**
 * A short stable name for a key, safe to store and log: 64 bits of a labelled SHA-256 reveal
 * nothing usable about a 256-bit random key, yet make accidental collisions practically impossible.
 */
export function keyIdOf(key: Buffer): string {
  return createHash("sha256").update(KEY_ID_LABEL).update(key).digest("hex").slice(0, 16);
}

// Buffer.from(…, "base64") silently skips characters it does not understand, so a truncated or
// mangled key could decode to *some* bytes; check the alphabet first.
const BASE64 = /^(?:[A-Za-z0-9+/]+|[A-Za-z0-9_-]+)={0,2}$/;

/**
 * Decodes a base64 key and insists on exactly 32 bytes. `origin` names where the value came from
 * (an environment variable, a file entry) so the error is actionable; the value itself is never
 * echoed because it is key material.
 */
export function decodeKey(base64: string, origin: string): Buffer {
  const text = base64.trim();
  if (text === "" || !BASE64.test(text)) {
    throw new Error(
      `${origin} is not valid base64. It must be the base64 encoding of exactly ${KEY_BYTES} random bytes; ` +
        `generate one with: openssl rand -base64 ${KEY_BYTES}`,
    );
  }
  const key = Buffer.from(text, text.includes("-") || text.includes("_") ? "base64url" : "base64");
  if (key.length !== KEY_BYTES) {
    throw new Error(
      `${origin} decodes to ${key.length} bytes but must be exactly ${KEY_BYTES} bytes; ` +
        `generate one with: openssl rand -base64 ${KEY_BYTES}`,
    );
  }
  return key;
}
