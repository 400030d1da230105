import { SCOPE_TERMINATOR } from "./credentialScope.js";
import { type HmacSha256Key, prepareHmacSha256Key } from "./hmac.js";
import { hmacSha256 } from "./sha256.js";

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function deriveSigningKey(
  secretAccessKey: string,
  date: string,
  region: string,
  service: string,
): Buffer {
  const dateKey = hmacSha256(`AWS4${secretAccessKey}`, date);
  const regionKey = hmacSha256(dateKey, region);
  const serviceKey = hmacSha256(regionKey, service);
  return hmacSha256(serviceKey, SCOPE_TERMINATOR);
}

export const DEFAULT_SIGNING_KEY_CACHE_SIZE = 1000;

/**
 * Derived signing keys, ready to sign, memoized: a key only changes with the day, so deriving it
 * (four HMACs) on every request is wasted work on the hot path. Bounded, evicting the oldest entry
 * first: a flood of bogus regions can cost a re-derivation, not memory. The map lives in process
 * memory only, like the secrets it is keyed by.
 */
export class SigningKeyCache {
  private readonly keys = new Map<string, HmacSha256Key>();
  /** The last key handed out and what it was for: most requests come from the key and day of the one before. */
  private last:
    | { secret: string; date: string; region: string; service: string; key: HmacSha256Key }
    | undefined;

  constructor(private readonly maxEntries: number = DEFAULT_SIGNING_KEY_CACHE_SIZE) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`SigningKeyCache needs a positive integer size, got ${maxEntries}`);
    }
  }

  get size(): number {
    return this.keys.size;
  }

  get(secretAccessKey: string, date: string, region: string, service: string): HmacSha256Key {
    // Four short string comparisons instead of building a key string and hashing it for the map.
    const last = this.last;
    if (
      last !== undefined &&
      last.secret === secretAccessKey &&
      last.date === date &&
      last.region === region &&
      last.service === service
    ) {
      return last.key;
    }
    const key = this.lookup(secretAccessKey, date, region, service);
    this.last = { secret: secretAccessKey, date, region, service, key };
    return key;
  }

  private lookup(secretAccessKey: string, date: string, region: string, service: string): HmacSha256Key {
    // "\n" cannot occur in a date, region or service that passed the scope checks: the key is unambiguous.
    const cacheKey = `${date}\n${region}\n${service}\n${secretAccessKey}`;
    const cached = this.keys.get(cacheKey);
    if (cached !== undefined) return cached;
    const prepared = prepareHmacSha256Key(deriveSigningKey(secretAccessKey, date, region, service));
    if (this.keys.size >= this.maxEntries) {
      const oldest = this.keys.keys().next();
      if (oldest.done !== true) this.keys.delete(oldest.value);
    }
    this.keys.set(cacheKey, prepared);
    return prepared;
  }
}
