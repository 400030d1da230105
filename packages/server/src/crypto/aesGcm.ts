import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * AES-256-GCM with everything needed to decrypt packed into one buffer:
 *
 *   [format version: 1 byte = 0x01][IV: 12 bytes][auth tag: 16 bytes][ciphertext: n bytes]
 *
 * The version byte lets a future format coexist with stored data; it is also covered by the AAD,
 * so it cannot be flipped to steer decryption down another path.
 */
const FORMAT_VERSION = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;
const ALGORITHM = "aes-256-gcm";

export function encryptPacked(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  // A fresh random IV per message: data keys encrypt once, KEKs wrap far fewer than the 2^32
  // messages NIST allows per key with random 96-bit IVs.
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(withVersion(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(FORMAT_VERSION), iv, cipher.getAuthTag(), body]);
}

/** Throws (without detail) when the buffer is malformed, tampered with, or meant for other AAD/key. */
export function decryptPacked(key: Buffer, packed: Buffer, aad: Buffer): Buffer {
  if (packed.length < HEADER_BYTES || packed[0] !== FORMAT_VERSION) {
    throw new Error("unrecognized encrypted format");
  }
  const iv = packed.subarray(1, 1 + IV_BYTES);
  const tag = packed.subarray(1 + IV_BYTES, HEADER_BYTES);
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(withVersion(aad));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(packed.subarray(HEADER_BYTES)), decipher.final()]);
}

function withVersion(aad: Buffer): Buffer {
  return Buffer.concat([Buffer.of(FORMAT_VERSION), aad]);
}
