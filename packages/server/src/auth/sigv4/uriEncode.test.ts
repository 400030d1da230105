import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { sdkEscapeUri } from "./smithySigner.test.helper.js";
import { canonicalizeEncoded, uriEncode, uriEncodePath } from "./uriEncode.js";

describe("uriEncode", () => {
  it("leaves unreserved characters alone and encodes everything else as upper-case UTF-8 escapes", () => {
    assert.equal(uriEncode("AZaz09-._~"), "AZaz09-._~");
    assert.equal(uriEncode("a b+c/d*e!'()"), "a%20b%2Bc%2Fd%2Ae%21%27%28%29");
    assert.equal(uriEncode("é€😀"), "%C3%A9%E2%82%AC%F0%9F%98%80");
    assert.equal(uriEncode(""), "");
  });

  it("agrees with the AWS SDK's escapeUri on any well-formed string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (value) => uriEncode(value) === sdkEscapeUri(value)),
    );
  });

  it("uriEncodePath keeps '/' and encodes the rest the same way", () => {
    assert.equal(uriEncodePath("/a b/%41/~x"), "/a%20b/%2541/~x");
  });
});

describe("canonicalizeEncoded", () => {
  it("re-encodes a wire component: decodes escapes, then encodes as the spec wants", () => {
    assert.equal(canonicalizeEncoded("a%7eb"), "a~b", "unreserved characters are not escaped");
    assert.equal(canonicalizeEncoded("a%2fb"), "a%2Fb", "hex digits are upper-cased");
    assert.equal(canonicalizeEncoded("a+b c"), "a%2Bb%20c", "'+' is a plus sign, not a space");
    assert.equal(canonicalizeEncoded("%E2%82%AC"), "%E2%82%AC");
    assert.equal(canonicalizeEncoded("€"), "%E2%82%AC", "raw UTF-8 gets encoded");
    assert.equal(canonicalizeEncoded("100%"), "100%25", "a '%' starting no escape is literal");
    assert.equal(canonicalizeEncoded("%zz%4"), "%25zz%254");
    assert.equal(canonicalizeEncoded("%FF"), "%FF", "escapes that are not UTF-8 survive");
  });

  it("is the identity on canonical output, and maps any encoding of a string to uriEncode of it", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (value) => {
        const canonical = uriEncode(value);
        assert.equal(canonicalizeEncoded(canonical), canonical);
        assert.equal(canonicalizeEncoded(encodeURIComponent(value)), canonical);
      }),
    );
  });
});
