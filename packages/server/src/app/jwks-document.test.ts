import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";
import { validateJwksDocument } from "./jwks-document.js";

describe("validateJwksDocument", () => {
  it("accepts a JWKS document with a signing key", () => {
    const key = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ format: "jwk" });
    validateJwksDocument(JSON.stringify({ keys: [{ ...key, kid: "a", use: "sig", alg: "RS256" }] }));
  });

  it("refuses what is not a JWKS document, saying why", () => {
    assert.throws(() => validateJwksDocument("{not json"), /not JSON/);
    for (const text of ["[1]", '{"keys": []}', '{"key": [{}]}', '{"keys": ["x"]}']) {
      assert.throws(
        () => validateJwksDocument(text),
        (error: Error) => error.message.length > 0,
        text,
      );
    }
  });
});
