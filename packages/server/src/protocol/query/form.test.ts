import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { MalformedQueryStringException } from "../../errors/catalog.js";
import { parseForm } from "./form.js";
import { formBody } from "./query-form.test-helper.js";

describe("parseForm", () => {
  it("reads name=value pairs, + as a space, percent escapes as UTF-8", () => {
    const form = parseForm(
      Buffer.from("Action=GetCallerIdentity&Version=2011-06-15&A=x+y%2Bz&B=%C3%A9%F0%9F%98%80&C"),
    );
    assert.deepEqual(Object.fromEntries(form), {
      Action: "GetCallerIdentity",
      Version: "2011-06-15",
      A: "x y+z",
      B: "é😀",
      C: "",
    });
  });

  it("skips empty pairs and reads an empty body as no parameters", () => {
    assert.equal(parseForm(Buffer.alloc(0)).size, 0);
    assert.deepEqual(Object.fromEntries(parseForm(Buffer.from("&a=1&&b=2&"))), { a: "1", b: "2" });
  });

  it("round-trips any names and values, however they are escaped", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.string({ unit: "binary", minLength: 1 }), fc.string({ unit: "binary" })), {
          selector: ([name]) => name,
          maxLength: 12,
        }),
        fc.boolean(),
        (pairs, spaceAsPlus) => {
          const form = parseForm(formBody(pairs, spaceAsPlus));
          assert.deepEqual([...form], pairs);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses what cannot be read one way only, and never throws anything else", () => {
    for (const body of ["a=%", "a=%G1", "a=%e9", "a=1&a=2", "%ZZ=1"]) {
      assert.throws(() => parseForm(Buffer.from(body)), MalformedQueryStringException, body);
    }
    assert.throws(() => parseForm(Buffer.from([0x61, 0x3d, 0xff])), MalformedQueryStringException);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          parseForm(Buffer.from(bytes));
        } catch (error) {
          assert.ok(error instanceof MalformedQueryStringException, String(error));
        }
      }),
      { numRuns: 500 },
    );
  });

  it("does not echo a refused value, which may be a token", () => {
    try {
      parseForm(Buffer.from("WebIdentityToken=CANARY%ZZ"));
      assert.fail("should refuse");
    } catch (error) {
      assert.ok(error instanceof MalformedQueryStringException);
      assert.doesNotMatch(error.message, /CANARY/);
    }
  });
});
