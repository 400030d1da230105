import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import { NodeHmacSha256Key, OneShotHmacSha256Key, prepareHmacSha256Key } from "./hmac.js";

const reference = (key: Uint8Array, data: string) =>
  crypto.createHmac("sha256", key).update(data).digest("hex");

describe("HMAC-SHA256 with a prepared key", () => {
  it("matches RFC 4231 test case 2", () => {
    const key = prepareHmacSha256Key(Buffer.from("Jefe"));
    assert.equal(
      key.signHex("what do ya want for nothing?"),
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  it("one-shot and createHmac implementations both equal node:crypto's HMAC, for any key up to 64 bytes", () => {
    assert.equal(typeof crypto.hash, "function", "this Node has crypto.hash, so the one-shot path is tested");
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.array(fc.string({ unit: "grapheme", maxLength: 300 }), { minLength: 1, maxLength: 3 }),
        (keyBytes, messages) => {
          const key = Buffer.from(keyBytes);
          const oneShot = new OneShotHmacSha256Key(key, crypto.hash);
          const viaCreateHmac = new NodeHmacSha256Key(key);
          // Several messages per key: the one-shot key reuses scratch space between calls.
          for (const message of messages) {
            assert.equal(oneShot.signHex(message), reference(key, message));
            assert.equal(viaCreateHmac.signHex(message), reference(key, message));
          }
        },
      ),
    );
  });

  it("refuses keys longer than one SHA-256 block", () => {
    assert.throws(() => new OneShotHmacSha256Key(Buffer.alloc(65), crypto.hash), RangeError);
  });
});
