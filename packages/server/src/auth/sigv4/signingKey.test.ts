import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";
import { deriveSigningKey, SigningKeyCache } from "./signingKey.js";

const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const AWS_EXAMPLE_KEY = "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d";

describe("deriveSigningKey", () => {
  it("matches the AWS documentation example", () => {
    assert.equal(deriveSigningKey(SECRET, "20120215", "us-east-1", "iam").toString("hex"), AWS_EXAMPLE_KEY);
  });
});

describe("SigningKeyCache", () => {
  it("returns the derived key ready to sign, and the same object on a repeat", () => {
    const cache = new SigningKeyCache(10);
    const first = cache.get(SECRET, "20120215", "us-east-1", "iam");
    const expected = createHmac("sha256", Buffer.from(AWS_EXAMPLE_KEY, "hex"))
      .update("message")
      .digest("hex");
    assert.equal(first.signHex("message"), expected);
    assert.equal(cache.get(SECRET, "20120215", "us-east-1", "iam"), first);
    assert.notEqual(cache.get(SECRET, "20120216", "us-east-1", "iam"), first);
    assert.notEqual(cache.get(`${SECRET}x`, "20120215", "us-east-1", "iam"), first);
  });

  it("never answers from its last-used entry for a request that differs in any part", () => {
    const cache = new SigningKeyCache(10);
    const parts: Array<[string, string, string, string]> = [
      [SECRET, "20120215", "us-east-1", "iam"],
      [`${SECRET}x`, "20120215", "us-east-1", "iam"],
      [SECRET, "20120216", "us-east-1", "iam"],
      [SECRET, "20120215", "us-west-2", "iam"],
      [SECRET, "20120215", "us-east-1", "sts"],
    ];
    for (const first of parts) {
      for (const second of parts) {
        const a = cache.get(...first);
        const b = cache.get(...second);
        assert.equal(
          b.signHex("m"),
          createHmac("sha256", deriveSigningKey(...second))
            .update("m")
            .digest("hex"),
          `${first.join("/")} then ${second.join("/")}`,
        );
        assert.equal(a === b, first === second);
        assert.equal(cache.get(...first), a);
      }
    }
  });

  it("stays within its bound, evicting the oldest entry first", () => {
    const cache = new SigningKeyCache(3);
    const oldest = cache.get(SECRET, "20240101", "r0", "s");
    const kept = cache.get(SECRET, "20240101", "r1", "s");
    cache.get(SECRET, "20240101", "r2", "s");
    cache.get(SECRET, "20240101", "r3", "s");
    assert.equal(cache.size, 3);
    assert.equal(cache.get(SECRET, "20240101", "r1", "s"), kept, "younger entries stay cached");
    const rederived = cache.get(SECRET, "20240101", "r0", "s");
    assert.notEqual(rederived, oldest, "the oldest entry was evicted and derived again");
    assert.equal(rederived.signHex("m"), oldest.signHex("m"));
    assert.equal(cache.size, 3);
  });

  it("refuses a size that is not a positive integer", () => {
    assert.throws(() => new SigningKeyCache(0), RangeError);
    assert.throws(() => new SigningKeyCache(1.5), RangeError);
  });
});
