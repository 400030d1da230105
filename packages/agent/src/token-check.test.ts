import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { tokenChecker } from "./token-check.js";

describe("tokenChecker", () => {
  const check = tokenChecker("s3cret-token");

  it("accepts the exact token", () => {
    assert.equal(check("s3cret-token"), "valid");
  });

  it("tells a missing token from a wrong one", () => {
    assert.equal(check(undefined), "missing");
    assert.equal(check(""), "missing");
    assert.equal(check("s3cret-toke"), "wrong");
    assert.equal(check("s3cret-token "), "wrong");
    assert.equal(check("s3cret-token\u0000"), "wrong");
    assert.equal(check("S3CRET-TOKEN"), "wrong");
    assert.equal(check(["s3cret-token", "s3cret-token"]), "wrong");
  });

  it("refuses a character whose low byte is the token's (no latin1 truncation)", () => {
    assert.equal(tokenChecker("A")("\u0141"), "wrong");
    assert.equal(tokenChecker("AB")("A\u0142"), "wrong");
  });

  it("accepts exactly the token, for any token and any presented string", () => {
    const printable = fc
      .array(fc.integer({ min: 0x21, max: 0x7e }), { minLength: 1, maxLength: 400 })
      .map((codes) => String.fromCharCode(...codes));
    const anyString = fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 300 }),
      fc.string({ unit: "binary", maxLength: 300 }),
      printable,
    );
    fc.assert(
      fc.property(printable, anyString, (token, presented) => {
        const verdict = tokenChecker(token)(presented);
        assert.equal(verdict, presented === "" ? "missing" : presented === token ? "valid" : "wrong");
        assert.equal(tokenChecker(token)(token), "valid");
      }),
      { numRuns: 500 },
    );
  });

  it("refuses near misses: one character changed, added or removed", () => {
    const printable = fc
      .array(fc.integer({ min: 0x21, max: 0x7e }), { minLength: 1, maxLength: 300 })
      .map((codes) => String.fromCharCode(...codes));
    fc.assert(
      fc.property(printable, fc.nat(), fc.integer({ min: 0, max: 0xffff }), (token, at, code) => {
        const check = tokenChecker(token);
        const i = at % token.length;
        const changed = token.slice(0, i) + String.fromCharCode(code) + token.slice(i + 1);
        assert.equal(check(changed), changed === token ? "valid" : "wrong");
        assert.equal(check(token.slice(0, i) + token.slice(i + 1)), token.length === 1 ? "missing" : "wrong");
        assert.equal(check(`${token}${String.fromCharCode(code)}`), "wrong");
      }),
      { numRuns: 500 },
    );
  });
});
