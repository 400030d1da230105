import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SecretValidationError } from "./errors.js";
import { deepFreeze, fieldOf, fieldText, parseSecretJson } from "./json.js";
import { canary, renderError } from "./testing/canary.js";

describe("secret JSON", () => {
  it("parses, and never lets JSON.parse quote the value in an error", () => {
    assert.deepEqual(parseSecretJson("x", '{"a":1}'), { a: 1 });
    const value = canary();
    for (const text of [value, `{"a": ${value}}`, `{"a": "${value}"`, `${value}}`]) {
      let caught: unknown;
      try {
        parseSecretJson("prod/db", text);
      } catch (error) {
        caught = error;
      }
      assert.ok(caught instanceof SecretValidationError);
      assert.equal(caught.secretId, "prod/db");
      assert.ok(!renderError(caught).includes(value), renderError(caught));
      assert.match(caught.message, /not valid JSON/);
    }
  });

  it("deep-freezes plain objects and arrays only", () => {
    const date = new Date();
    const value = deepFreeze({ a: { b: [1, { c: 2 }] }, date });
    assert.ok(Object.isFrozen(value.a.b[1]));
    assert.ok(Object.isFrozen(value.a.b));
    assert.ok(!Object.isFrozen(date));
    assert.throws(() => {
      (value.a as { b: unknown }).b = 1;
    }, TypeError);
  });

  it("reads top-level fields", () => {
    assert.equal(fieldOf("x", { a: "1" }, "a"), "1");
    assert.equal(fieldOf("x", { a: "1" }, "toString"), undefined);
    assert.throws(() => fieldOf("x", [1], "a"), SecretValidationError);
    assert.throws(() => fieldOf("x", "text", "a"), SecretValidationError);
    assert.equal(fieldText("s"), "s");
    assert.equal(fieldText(5432), "5432");
    assert.equal(fieldText({ a: true }), '{"a":true}');
  });
});
