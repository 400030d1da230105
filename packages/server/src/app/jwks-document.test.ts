import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validateJwksDocument } from "./jwks-document.js";

describe("validateJwksDocument (until the verifier's parseJwksDocument replaces it)", () => {
  it("accepts an object with a non-empty keys array", () => {
    validateJwksDocument(JSON.stringify({ keys: [{ kty: "RSA", kid: "a", n: "AQAB", e: "AQAB" }] }));
  });

  it("refuses what is not a JWKS document, saying why", () => {
    assert.throws(() => validateJwksDocument("{not json"), /not JSON/);
    assert.throws(() => validateJwksDocument("[1]"), /JSON object with a "keys" array/);
    assert.throws(() => validateJwksDocument('{"keys": []}'), /non-empty array/);
    assert.throws(() => validateJwksDocument('{"key": [{}]}'), /non-empty array/);
    assert.throws(() => validateJwksDocument('{"keys": ["x"]}'), /JSON object \(a JWK/);
  });
});
