import * as crypto from "node:crypto";

/** An HMAC-SHA256 key made ready to sign many messages. */
export interface HmacSha256Key {
  /** Lower-case hex HMAC-SHA256 of `data` (as UTF-8). */
  signHex(data: string): string;
}

const BLOCK_SIZE = 64; // SHA-256 block size in bytes
const DIGEST_SIZE = 32;

/**
 * HMAC-SHA256 (RFC 2104) on one-shot `crypto.hash` calls, with the key's padded blocks computed once:
 * H((K ^ opad) || H((K ^ ipad) || m)). On Node 20, `crypto.createHmac` costs microseconds per call
 * (it builds a native object every time) and this runs on every request. The tests check it against
 * createHmac.
 *
 * The inner digest travels as a "binary" (latin1) string, because asking `crypto.hash` for a Buffer
 * allocates an unpooled one, which costs more than the hash itself.
 */
export class OneShotHmacSha256Key implements HmacSha256Key {
  private readonly innerPad = Buffer.alloc(BLOCK_SIZE, 0x36);
  private readonly outerBlock = Buffer.alloc(BLOCK_SIZE + DIGEST_SIZE, 0x5c);

  constructor(
    key: Buffer,
    private readonly hash: typeof crypto.hash,
  ) {
    if (key.length > BLOCK_SIZE)
      throw new RangeError("HMAC keys longer than one block are not supported here");
    for (let i = 0; i < key.length; i++) {
      this.innerPad[i] = (this.innerPad[i] as number) ^ (key[i] as number);
      this.outerBlock[i] = (this.outerBlock[i] as number) ^ (key[i] as number);
    }
  }

  signHex(data: string): string {
    const innerInput = Buffer.allocUnsafe(BLOCK_SIZE + Buffer.byteLength(data, "utf8"));
    innerInput.set(this.innerPad, 0);
    innerInput.write(data, BLOCK_SIZE, "utf8");
    const innerDigest = this.hash("sha256", innerInput, "binary");
    // Signing is synchronous, so the key's outer block doubles as scratch space for the inner digest.
    this.outerBlock.write(innerDigest, BLOCK_SIZE, "latin1");
    return this.hash("sha256", this.outerBlock, "hex");
  }
}

/** The same through `crypto.createHmac`, for Node versions without `crypto.hash` (before 20.12). */
export class NodeHmacSha256Key implements HmacSha256Key {
  constructor(private readonly key: Buffer) {}

  signHex(data: string): string {
    return crypto.createHmac("sha256", this.key).update(data).digest("hex");
  }
}

/** Prepares `key` (at most 64 bytes, e.g. a SigV4 signing key) with the fastest implementation available. */
export function prepareHmacSha256Key(key: Buffer): HmacSha256Key {
  return typeof crypto.hash === "function"
    ? new OneShotHmacSha256Key(key, crypto.hash)
    : new NodeHmacSha256Key(key);
}
