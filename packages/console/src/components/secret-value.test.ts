import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { maxSecretBytes, pairsOf, pairsToString, rawToString } from "./secret-value.js";

const key = fc.string({ minLength: 1, maxLength: 20 }).filter((text) => text.trim() === text && text !== "");
const rows = fc.uniqueArray(fc.tuple(key, fc.string({ maxLength: 30 })), {
  minLength: 1,
  maxLength: 8,
  selector: ([k]) => k,
});

test("property: key/value rows round-trip through the saved JSON", () => {
  fc.assert(
    fc.property(rows, (pairs) => {
      const result = pairsToString(pairs.map(([k, value]) => ({ key: k, value })));
      assert.ok("value" in result, JSON.stringify(result));
      // As a map: JSON objects put integer-like keys ("0") first, whatever order they were typed in.
      assert.deepEqual(new Map(pairsOf(result.value)), new Map(pairs));
    }),
  );
});

test("property: a key given twice, or an empty key, is refused with its reason", () => {
  fc.assert(
    fc.property(rows, fc.nat(), (pairs, pick) => {
      const [k, value] = pairs[pick % pairs.length] as [string, string];
      const doubled = [...pairs, [k, value] as const].map(([key, value]) => ({ key, value }));
      assert.deepEqual(pairsToString(doubled), { problem: `The key "${k}" appears twice.` });
      const blank = [...pairs.map(([key, value]) => ({ key, value })), { key: "  ", value }];
      assert.deepEqual(pairsToString(blank), { problem: `Row ${pairs.length + 1} has no key.` });
    }),
  );
  assert.deepEqual(pairsToString([]), { problem: "Add at least one key." });
});

test("property: raw text that looks like JSON must be JSON; other text passes as is", () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const text = JSON.stringify(value);
      const result = rawToString(text);
      if (new TextEncoder().encode(text).length <= maxSecretBytes) assert.deepEqual(result, { value: text });
    }),
  );
  fc.assert(
    fc.property(fc.string({ minLength: 1 }), (text) => {
      const trimmed = text.trim();
      fc.pre(trimmed !== "" && !["{", "[", '"'].includes(trimmed[0] as string));
      assert.deepEqual(rawToString(text), { value: text });
    }),
  );
  for (const broken of ['{"a":1', "[1,", '{"a" 1}', '"open']) {
    const result = rawToString(broken);
    assert.ok("problem" in result && result.problem.startsWith("Not valid JSON: "), broken);
  }
  assert.deepEqual(rawToString(""), { problem: "The value is empty." });
});

test("values over 65,536 bytes are refused, counted in UTF-8 bytes", () => {
  const atLimit = "é".repeat(maxSecretBytes / 2);
  assert.deepEqual(rawToString(atLimit), { value: atLimit });
  assert.deepEqual(rawToString(`${atLimit}x`), {
    problem: `The value is ${maxSecretBytes + 1} bytes; the limit is 65536.`,
  });
});

test("only flat JSON objects are shown as key/value pairs", () => {
  assert.deepEqual(pairsOf('{"a":"1","n":2,"b":true}'), [
    ["a", "1"],
    ["n", "2"],
    ["b", "true"],
  ]);
  for (const other of ['{"nested":{"x":1}}', "[1,2]", '"text"', "plain text", "null", '{"a":null}']) {
    assert.equal(pairsOf(other), undefined, other);
  }
});
