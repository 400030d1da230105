import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { before, describe, test } from "node:test";
import fc from "fast-check";
import { InvalidJwksError, parseJwksDocument } from "./jwks-document.js";
import { jwksOf, type TestKey, testKey } from "./web-identity.test-helper.js";

let rsa: TestKey;
let ec: TestKey;

before(async () => {
  rsa = await testKey("RS256", "rsa-1");
  ec = await testKey("ES256", "ec-1");
});

function refusedDocument(text: string, message: RegExp) {
  assert.throws(
    () => parseJwksDocument(text),
    (error: unknown) => error instanceof InvalidJwksError && message.test(error.message),
  );
}

describe("parseJwksDocument", () => {
  test("RSA and EC P-256 public keys are kept, with only the members verification reads", () => {
    const parsed = parseJwksDocument(
      jwksOf(
        { ...rsa.publicJwk, alg: "RS256", use: "sig", x5c: ["MIIB"], ext: "odd" },
        { ...ec.publicJwk, key_ops: ["verify"] },
      ),
    );
    assert.deepEqual(parsed.skipped, []);
    assert.deepEqual(parsed.keys, [
      { kty: "RSA", n: rsa.publicJwk.n, e: rsa.publicJwk.e, kid: "rsa-1", alg: "RS256", use: "sig" },
      { kty: "EC", crv: "P-256", x: ec.publicJwk.x, y: ec.publicJwk.y, kid: "ec-1", use: "sig" },
    ]);
  });

  test("keys that cannot verify a RS256 or ES256 token are skipped, each with why", async () => {
    const ed = await testKey("EdDSA", "ed");
    const p384 = await testKey("ES384", "p384");
    const weak = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ format: "jwk" });
    const parsed = parseJwksDocument(
      jwksOf(
        rsa.publicJwk,
        ed.publicJwk,
        p384.publicJwk,
        { ...rsa.publicJwk, kid: "enc", use: "enc" },
        { ...rsa.publicJwk, kid: "wrong-alg", alg: "ES256" },
        { ...rsa.publicJwk, kid: "ops", key_ops: ["encrypt"] },
        { ...rsa.publicJwk, kid: 7 },
        { ...weak, kid: "weak" },
        { kty: "RSA", kid: "no-n", e: "AQAB" },
        { kty: "RSA", kid: "junk", n: "AAAA", e: "AQAB" },
      ),
    );
    assert.equal(parsed.keys.length, 1);
    assert.deepEqual(parsed.skipped, [
      'key 1 (kid "ed"): a OKP key (only RSA and EC keys are used)',
      'key 2 (kid "p384"): an EC key on a curve other than P-256',
      'key 3 (kid "enc"): its "use" is not "sig"',
      'key 4 (kid "wrong-alg"): its "alg" is not RS256',
      'key 5 (kid "ops"): its "key_ops" do not include "verify"',
      'key 6: its "kid" is not a string',
      'key 7 (kid "weak"): an RSA key shorter than 2048 bits',
      'key 8 (kid "no-n"): its "n" is missing',
      'key 9 (kid "junk"): an RSA key shorter than 2048 bits',
    ]);
  });

  test("refused: not JSON, not a JWKS, a private or secret key, too many keys, too large, no usable key", async () => {
    const privateJwk = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
      format: "jwk",
    });
    refusedDocument("", /not JSON/);
    refusedDocument("-----BEGIN PUBLIC KEY-----", /not JSON/);
    refusedDocument("[]", /"keys" array/);
    refusedDocument('{"keys": {}}', /"keys" array/);
    refusedDocument(JSON.stringify(rsa.publicJwk), /"keys" array/);
    refusedDocument('{"keys": [1]}', /Key 0 .* not a JSON Web Key/);
    refusedDocument('{"keys": [{"kid": "x"}]}', /not a JSON Web Key/);
    refusedDocument(
      jwksOf(rsa.publicJwk, { ...privateJwk, kid: "oops" }),
      /Key 1 \(kid "oops"\) .* private or secret key material \("d"\)/,
    );
    refusedDocument(jwksOf({ kty: "oct", k: "c2VjcmV0" }), /private or secret key material \("k"\)/);
    refusedDocument(jwksOf(...Array.from({ length: 101 }, () => rsa.publicJwk)), /101 keys; at most 100/);
    refusedDocument(
      JSON.stringify({ keys: [rsa.publicJwk], pad: "x".repeat(1024 * 1024) }),
      /larger than 1048576 bytes/,
    );
    refusedDocument('{"keys": []}', /no key .*: it is empty/);
    refusedDocument(jwksOf({ kty: "OKP", crv: "Ed25519", x: "AA" }), /no key .*: key 0: a OKP key/);
  });

  test("any text: a parsed JWKS or an InvalidJwksError, never another exception", () => {
    const jwkLike = fc.record(
      {
        kty: fc.constantFrom("RSA", "EC", "OKP", "oct", 1),
        kid: fc.oneof(fc.string(), fc.integer()),
        crv: fc.constantFrom("P-256", "P-384", "Ed25519"),
        n: fc.base64String(),
        e: fc.constantFrom("AQAB", "", "AA"),
        x: fc.base64String(),
        y: fc.base64String(),
        use: fc.constantFrom("sig", "enc"),
        alg: fc.constantFrom("RS256", "ES256", "none", "HS256"),
        key_ops: fc.array(fc.constantFrom("verify", "sign", "encrypt")),
      },
      { requiredKeys: [] },
    );
    const text = fc.oneof(
      fc.string(),
      fc.json(),
      fc.array(fc.oneof(jwkLike, fc.anything()), { maxLength: 5 }).map((keys) => JSON.stringify({ keys })),
    );
    fc.assert(
      fc.property(text, (input) => {
        try {
          const parsed = parseJwksDocument(input);
          assert.ok(parsed.keys.length > 0);
        } catch (error) {
          assert.ok(error instanceof InvalidJwksError, String(error));
        }
      }),
      { numRuns: 1000 },
    );
  });
});
