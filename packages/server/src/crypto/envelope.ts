import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { DecryptionFailure, EncryptionFailure, InternalServiceError } from "../errors/catalog.js";
import { decryptPacked, encryptPacked } from "./aesGcm.js";
import { generateKey } from "./keyMaterial.js";
import type { Keyring } from "./keyring.js";
import { LruCache } from "./lruCache.js";

/**
 * One encrypted secret version. `ciphertext` is the value under its own data key; `wrappedKey` is
 * that data key under the key-encryption key `kekId`. Both buffers use the packed AES-GCM format
 * of aesGcm.ts (version byte, IV, tag, data).
 */
export interface SealedValue {
  kekId: string;
  wrappedKey: Buffer;
  ciphertext: Buffer;
}

/** An HMAC-SHA256 over metadata, under a sub-key derived from the master key `kekId`. */
export interface MetadataSeal {
  kekId: string;
  mac: Buffer;
}

export interface Envelope {
  /** Encrypts under a fresh data key wrapped by the active KEK. Throws EncryptionFailure. */
  seal(plaintext: Buffer, context: string): SealedValue;
  /** Throws DecryptionFailure if anything was tampered with or moved to another context. */
  open(sealed: SealedValue, context: string): Buffer;
  /** Same ciphertext, data key re-wrapped under the active KEK (for key rotation). */
  rewrap(sealed: SealedValue, context: string): SealedValue;
  /**
   * Authenticates metadata that is stored in the clear (which version is current, a secret's
   * name): an HMAC-SHA256 under a sub-key HKDF-derived from the active KEK. Throws EncryptionFailure.
   */
  authenticate(message: Buffer): MetadataSeal;
  /** Throws DecryptionFailure unless `seal` is the MAC of `message` under the KEK it names. */
  verify(message: Buffer, seal: MetadataSeal): void;
  /**
   * Calls `listener` when the master keys change (rotation, retirement: the keyring reloaded with
   * other keys); returns the way to stop. Whoever holds what it opened drops it then.
   */
  onKeysChanged(listener: () => void): () => void;
}

export interface EnvelopeOptions {
  /** How many unwrapped data keys to keep in memory; 0 disables the cache. Default 10,000. */
  dataKeyCacheSize?: number;
}

export const DEFAULT_DATA_KEY_CACHE_SIZE = 10_000;

const CANT_ENCRYPT = "Secrets Manager can't encrypt the protected secret text using the provided KMS key.";
const CANT_DECRYPT = "Secrets Manager can't decrypt the protected secret text using the provided KMS key.";
const KEY_ID_SHAPE = /^[0-9a-f]{16}$/;

// Distinct labels keep the two AAD families apart even if a context string were ever reused.
// The context binds a ciphertext to its row; the KEK id in the data-key AAD stops a wrapped key
// from being relabelled with another key's id.
function valueAad(context: string): Buffer {
  return Buffer.from(`coffer/secret-value\0${context}`, "utf8");
}
function dataKeyAad(kekId: string, context: string): Buffer {
  return Buffer.from(`coffer/data-key\0${kekId}\0${context}`, "utf8");
}

const MAC_BYTES = 32;
// HKDF info: the MAC key is a separate key from the KEK that wraps data keys, so no AES-GCM output
// can ever be presented as a MAC or the other way round.
const MAC_KEY_INFO = "coffer/metadata-mac/v1";

function macKeyOf(kek: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", kek, Buffer.alloc(0), MAC_KEY_INFO, MAC_BYTES));
}

export function createEnvelope(keyring: Keyring, options?: EnvelopeOptions): Envelope {
  // Unwrapped data keys, so a repeated read costs one AES-GCM decryption instead of two. The key
  // holds everything the unwrap authenticated (wrapped bytes, KEK id, context), so a hit is only
  // possible for exactly the inputs that once unwrapped successfully.
  const dataKeys = new LruCache<string, Buffer>(options?.dataKeyCacheSize ?? DEFAULT_DATA_KEY_CACHE_SIZE);
  const cacheKey = (sealed: SealedValue, context: string): string =>
    `${sealed.wrappedKey.toString("base64")}\0${sealed.kekId}\0${context}`;

  const activeKek = () => {
    try {
      return keyring.active();
    } catch (error) {
      throw new EncryptionFailure(CANT_ENCRYPT, { cause: error });
    }
  };

  const findKek = (kekId: string): Buffer => {
    let kek = keyring.get(kekId);
    if (kek === undefined) {
      // Another process may have rotated the keyring since we last read it.
      try {
        keyring.reload();
      } catch (error) {
        throw new InternalServiceError("Coffer could not reload its keyring.", { cause: error });
      }
      kek = keyring.get(kekId);
    }
    if (kek === undefined) {
      const which = KEY_ID_SHAPE.test(kekId) ? ` (key ${kekId})` : "";
      throw new DecryptionFailure(`${CANT_DECRYPT} The master key${which} is not in the keyring.`);
    }
    return kek;
  };

  const unwrapDataKey = (sealed: SealedValue, context: string): Buffer => {
    const key = cacheKey(sealed, context);
    const cached = dataKeys.get(key);
    // A retired KEK must stop working even for data keys unwrapped before it was retired.
    if (cached !== undefined && keyring.get(sealed.kekId) !== undefined) return cached;
    if (cached !== undefined) dataKeys.delete(key);

    const kek = findKek(sealed.kekId);
    let dataKey: Buffer;
    try {
      dataKey = decryptPacked(kek, sealed.wrappedKey, dataKeyAad(sealed.kekId, context));
    } catch {
      throw new DecryptionFailure(CANT_DECRYPT);
    }
    dataKeys.set(key, dataKey);
    return dataKey;
  };

  // Derived MAC keys by KEK id; like the data-key cache, only used while the KEK is in the keyring.
  const macKeys = new Map<string, Buffer>();
  const macKeyFor = (kekId: string, kek: Buffer): Buffer => {
    let key = macKeys.get(kekId);
    if (key === undefined) {
      key = macKeyOf(kek);
      macKeys.set(kekId, key);
    }
    return key;
  };
  const macOf = (key: Buffer, message: Buffer): Buffer => createHmac("sha256", key).update(message).digest();

  return {
    onKeysChanged: (listener) => keyring.onChange(listener),

    authenticate(message) {
      const kek = activeKek();
      try {
        return { kekId: kek.id, mac: macOf(macKeyFor(kek.id, kek.key), message) };
      } catch (error) {
        throw new EncryptionFailure(CANT_ENCRYPT, { cause: error });
      }
    },

    verify(message, seal) {
      const kek = findKek(seal.kekId);
      const expected = macOf(macKeyFor(seal.kekId, kek), message);
      if (seal.mac.length !== expected.length || !timingSafeEqual(seal.mac, expected)) {
        throw new DecryptionFailure(CANT_DECRYPT);
      }
    },

    seal(plaintext, context) {
      const kek = activeKek();
      try {
        const dataKey = generateKey();
        const sealed: SealedValue = {
          kekId: kek.id,
          wrappedKey: encryptPacked(kek.key, dataKey, dataKeyAad(kek.id, context)),
          ciphertext: encryptPacked(dataKey, plaintext, valueAad(context)),
        };
        // The value just written is often read right back.
        dataKeys.set(cacheKey(sealed, context), dataKey);
        return sealed;
      } catch (error) {
        throw new EncryptionFailure(CANT_ENCRYPT, { cause: error });
      }
    },

    open(sealed, context) {
      const dataKey = unwrapDataKey(sealed, context);
      try {
        return decryptPacked(dataKey, sealed.ciphertext, valueAad(context));
      } catch {
        throw new DecryptionFailure(CANT_DECRYPT);
      }
    },

    rewrap(sealed, context) {
      const kek = activeKek();
      const copy = { ciphertext: Buffer.from(sealed.ciphertext) };
      if (sealed.kekId === kek.id)
        return { ...copy, kekId: sealed.kekId, wrappedKey: Buffer.from(sealed.wrappedKey) };

      const dataKey = unwrapDataKey(sealed, context);
      let rewrapped: SealedValue;
      try {
        rewrapped = {
          ...copy,
          kekId: kek.id,
          wrappedKey: encryptPacked(kek.key, dataKey, dataKeyAad(kek.id, context)),
        };
      } catch (error) {
        throw new EncryptionFailure(CANT_ENCRYPT, { cause: error });
      }
      dataKeys.set(cacheKey(rewrapped, context), dataKey);
      return rewrapped;
    },
  };
}
