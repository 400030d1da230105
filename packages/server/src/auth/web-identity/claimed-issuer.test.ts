import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import fc from "fast-check";
import { WebIdentityTokenError } from "../../domain/ports/web-identity.js";
import { claimedIssuer } from "./claimed-issuer.js";
import { createWebIdentityVerifier } from "./index.js";
import {
  b64url,
  claimsAt,
  issuer,
  jwksOf,
  provider,
  sign,
  type TestKey,
  t0,
  testKey,
} from "./web-identity.test-helper.js";

/** Arbitrary input: claimedIssuer never throws; verify never accepts and refuses only as InvalidIdentityToken. */

let rsa: TestKey;
let stored: ReturnType<typeof provider>;
const verifier = createWebIdentityVerifier();

before(async () => {
  rsa = await testKey("RS256", "rsa-1");
  stored = provider({ source: "document", jwks: jwksOf(rsa.publicJwk) });
});

/** Three base64url segments: a JSON header that may look right, any JSON payload, any signature. */
const jwtShaped = fc
  .tuple(
    fc.oneof(
      fc.record(
        {
          alg: fc.constantFrom("RS256", "ES256", "none", "HS256", "PS256", "EdDSA", ""),
          kid: fc.constantFrom("rsa-1", "unknown"),
          typ: fc.constant("JWT"),
          crit: fc.array(fc.string(), { maxLength: 2 }),
        },
        { requiredKeys: ["alg"] },
      ),
      fc.json().map((text) => JSON.parse(text) as unknown),
    ),
    fc.oneof(
      fc.record({
        iss: fc.oneof(fc.constant(issuer), fc.string()),
        sub: fc.string(),
        aud: fc.string(),
        exp: fc.integer(),
      }),
      fc.json().map((text) => JSON.parse(text) as unknown),
    ),
    fc.uint8Array({ maxLength: 300 }),
  )
  .map(
    ([header, payload, signature]) =>
      `${b64url(header)}.${b64url(payload)}.${Buffer.from(signature).toString("base64url")}`,
  );

async function refusedAsInvalid(token: string) {
  try {
    await verifier.verify(token, stored, t0);
  } catch (error) {
    assert.ok(error instanceof WebIdentityTokenError, String(error));
    assert.equal(error.refusal, "InvalidIdentityToken", error.message);
    return;
  }
  assert.fail("an arbitrary token verified");
}

describe("claimedIssuer", () => {
  test("the iss of a JWT, valid or not; undefined otherwise", async () => {
    assert.equal(claimedIssuer(await sign(rsa, claimsAt(t0))), issuer);
    assert.equal(claimedIssuer(`${b64url({ alg: "none" })}.${b64url({ iss: "x" })}.sig`), "x");
    assert.equal(claimedIssuer(`${b64url({ alg: "RS256" })}.${b64url({ iss: 7 })}.sig`), undefined);
    assert.equal(claimedIssuer(`${b64url({ alg: "RS256" })}.${b64url({ sub: "a" })}.sig`), undefined);
    assert.equal(claimedIssuer(`${b64url("x")}.${b64url({ iss: "x" })}.sig`), undefined);
    assert.equal(claimedIssuer(`${b64url({ alg: "none" })}.${b64url({ iss: "x" })}.`), undefined);
    assert.equal(
      claimedIssuer(`${b64url({ alg: "none" })}.${b64url({ iss: "x".repeat(20_000) })}.sig`),
      undefined,
    );
    for (const junk of ["", ".", "..", "a.b.c", "a.b.c.d.e", "eyJ.eyJ.x"])
      assert.equal(claimedIssuer(junk), undefined);
  });

  test("any string: never throws", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" }), jwtShaped), (token) => {
        const claimed = claimedIssuer(token);
        assert.ok(claimed === undefined || typeof claimed === "string");
      }),
      { numRuns: 3000 },
    );
  });
});

describe("verify, arbitrary input", () => {
  test("any string never verifies and is refused as InvalidIdentityToken", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.string({ unit: "binary" })), refusedAsInvalid),
      {
        numRuns: 500,
      },
    );
  });

  test("any JWT-shaped string with any signature never verifies", async () => {
    await fc.assert(fc.asyncProperty(jwtShaped, refusedAsInvalid), { numRuns: 500 });
  });

  test("a valid token with any character of its header or payload changed never verifies", async () => {
    const token = await sign(rsa, claimsAt(t0));
    const signedLength = token.lastIndexOf(".");
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: signedLength - 1 }),
        fc.constantFrom(...alphabet),
        async (at, replacement) => {
          fc.pre(token[at] !== replacement);
          await refusedAsInvalid(`${token.slice(0, at)}${replacement}${token.slice(at + 1)}`);
        },
      ),
      { numRuns: 300 },
    );
  });
});
