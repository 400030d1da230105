import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { strictBase64DecodedLength } from "./base64.js";
import { echoValue, MAX_ECHOED_VALUE_LENGTH } from "./messages.js";
import { codePointLength } from "./unicode-length.js";

describe("strictBase64DecodedLength", () => {
  it("gives the decoded size of anything Buffer encodes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        assert.equal(strictBase64DecodedLength(Buffer.from(bytes).toString("base64")), bytes.length);
      }),
    );
  });

  it("accepts only text that Buffer round-trips to the same bytes", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."AQgw+/=-_ \n@") }), (text) => {
        const length = strictBase64DecodedLength(text);
        if (length >= 0) assert.equal(Buffer.from(text, "base64").length, length);
      }),
    );
    for (const bad of ["A", "QQ", "QQ=", "Q===", "QQ==QQ==", "QQ=A", "Q-_A", " QQ=="]) {
      assert.equal(strictBase64DecodedLength(bad), -1, bad);
    }
  });
});

describe("codePointLength", () => {
  it("counts code points, not UTF-16 units", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        assert.equal(codePointLength(text), [...text].length);
      }),
    );
    assert.equal(codePointLength("\ud800x"), 2, "a lone surrogate counts once");
  });
});

describe("echoValue", () => {
  it("bounds any value's rendering", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        assert.ok(echoValue(value).length <= MAX_ECHOED_VALUE_LENGTH + 5);
      }),
    );
  });

  it("renders like Java: null bare, scalars quoted, lists bracketed", () => {
    assert.equal(echoValue(null), "null");
    assert.equal(echoValue(0), "'0'");
    assert.equal(echoValue(["a", "b"]), "'[a, b]'");
    assert.equal(echoValue({ Key: "k", Value: "v" }), "'{Key=k, Value=v}'");
  });
});
