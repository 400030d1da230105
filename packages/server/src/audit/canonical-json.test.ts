import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { canonicalJson } from "./canonical-json.js";
import { chainHash, GENESIS_HASH } from "./chain-hash.js";

/** The same value with the members of every object inserted in a shuffled order. */
function reordered(value: unknown, shuffle: (keys: string[]) => string[]): unknown {
  if (Array.isArray(value)) return value.map((item) => reordered(item, shuffle));
  if (typeof value !== "object" || value === null) return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    shuffle(Object.keys(record)).map((key) => [key, reordered(record[key], shuffle)]),
  );
}

const withoutStrings = (json: string) => json.replace(/"(?:[^"\\]|\\.)*"/g, '""');
const jsonValue = fc.jsonValue({ maxDepth: 5 });

describe("canonicalJson", () => {
  it("does not depend on the order members were inserted in", () => {
    fc.assert(
      fc.property(jsonValue, fc.integer(), (value, seed) => {
        let state = seed >>> 0;
        const random = () => {
          state = (state * 1103515245 + 12345) >>> 0;
          return state / 2 ** 32;
        };
        const shuffle = (keys: string[]) => {
          const out = [...keys];
          for (let i = out.length - 1; i > 0; i--) {
            const j = Math.floor(random() * (i + 1));
            [out[i], out[j]] = [out[j] as string, out[i] as string];
          }
          return out;
        };
        assert.equal(canonicalJson(reordered(value, shuffle)), canonicalJson(value));
        assert.equal(canonicalJson(reordered(value, (keys) => [...keys].reverse())), canonicalJson(value));
      }),
      { numRuns: 500 },
    );
  });

  it("round-trips: parsing gives the value back and re-serializing gives the same text", () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        const text = canonicalJson(value);
        const parsed: unknown = JSON.parse(text);
        assert.deepEqual(parsed, JSON.parse(JSON.stringify(value)));
        assert.equal(canonicalJson(parsed), text);
      }),
      { numRuns: 500 },
    );
  });

  it("gives equal text exactly for equal values", () => {
    fc.assert(
      fc.property(jsonValue, jsonValue, (a, b) => {
        const equal = canonicalJson(a) === canonicalJson(b);
        assert.equal(equal, isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b))));
      }),
      { numRuns: 300 },
    );
  });

  it("writes any string, lone surrogates and control characters included, as JSON.stringify does", () => {
    const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
    fc.assert(
      fc.property(fc.string({ unit: anyCodeUnit, maxLength: 40 }), (text) => {
        assert.equal(canonicalJson(text), JSON.stringify(text));
        assert.equal(canonicalJson({ [text]: text }), `{${JSON.stringify(text)}:${JSON.stringify(text)}}`);
      }),
      { numRuns: 1000 },
    );
  });

  it("has no whitespace outside strings", () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        assert.doesNotMatch(withoutStrings(canonicalJson(value)), /\s/);
      }),
      { numRuns: 300 },
    );
  });

  it("sorts members by UTF-16 code units (the RFC 8785 example)", () => {
    const value = {
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis",
    };
    const keys = [...canonicalJson(value).matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((m) =>
      JSON.parse(`"${m[1]}"`),
    );
    assert.deepEqual(keys, ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33"]);
    assert.equal(
      canonicalJson({ b: [1, { d: null, c: true }], a: "x", "10": 0, "9": -0 }),
      '{"10":0,"9":0,"a":"x","b":[1,{"c":true,"d":null}]}',
    );
  });

  it("leaves out undefined members and refuses what has no single JSON form", () => {
    assert.equal(canonicalJson({ a: undefined, b: 1 }), '{"b":1}');
    for (const bad of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      1n,
      undefined,
      () => 1,
      Symbol("s"),
      new Date(0),
      [undefined],
      new Map(),
    ]) {
      assert.throws(() => canonicalJson(bad), TypeError);
    }
    assert.equal(canonicalJson(Object.assign(Object.create(null), { z: 1, a: 2 })), '{"a":2,"z":1}');
  });
});

describe("chainHash", () => {
  it("is SHA-256 over the previous hash's hex digits followed by the event's JSON, as UTF-8", () => {
    const manual = createHash("sha256")
      .update(`${"0".repeat(64)}{"a":"é"}`, "utf8")
      .digest("hex");
    assert.equal(chainHash(GENESIS_HASH, '{"a":"é"}'), manual);
    assert.notEqual(chainHash(GENESIS_HASH, "{}"), chainHash(chainHash(GENESIS_HASH, "{}"), "{}"));
    assert.throws(() => chainHash("abc", "{}"), TypeError);
  });
});
