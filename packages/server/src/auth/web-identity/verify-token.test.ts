import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { exportJWK, exportSPKI, importJWK, type JWTPayload, SignJWT } from "jose";
import { type WebIdentityRefusal, WebIdentityTokenError } from "../../domain/ports/web-identity.js";
import { createWebIdentityVerifier } from "./index.js";
import {
  audience,
  b64url,
  claimsAt,
  issuer,
  jwksOf,
  provider,
  seconds,
  sign,
  type TestKey,
  t0,
  testKey,
} from "./web-identity.test-helper.js";

/**
 * Verification against keys from a stored JWKS document: what is accepted, and every way a token
 * is refused, each with STS's refusal code and a message that never quotes the token.
 */

let rsa: TestKey;
let ec: TestKey;
let attacker: TestKey;
let attackerSameKid: TestKey;
let documentProvider: ReturnType<typeof provider>;
const verifier = createWebIdentityVerifier();

before(async () => {
  rsa = await testKey("RS256", "rsa-1");
  ec = await testKey("ES256", "ec-1");
  attacker = await testKey("RS256", "attacker");
  attackerSameKid = await testKey("RS256", "rsa-1");
  documentProvider = provider({ source: "document", jwks: jwksOf(rsa.publicJwk, ec.publicJwk) });
});

async function refused(
  token: string,
  refusal: WebIdentityRefusal,
  message?: RegExp,
  now = t0,
  p = documentProvider,
) {
  await assert.rejects(verifier.verify(token, p, now), (error: unknown) => {
    assert.ok(error instanceof WebIdentityTokenError, `not a WebIdentityTokenError: ${String(error)}`);
    assert.equal(error.refusal, refusal, error.message);
    if (message) assert.match(error.message, message);
    // Never the token, nor any of its parts.
    for (const part of token.split(".")) {
      if (part.length >= 8)
        assert.ok(!error.message.includes(part), `the message quotes the token: ${error.message}`);
    }
    return true;
  });
}

describe("web identity tokens: accepted", () => {
  test("RS256 and ES256 tokens verify; the claims are returned as the token carried them", async () => {
    for (const key of [rsa, ec]) {
      const token = await sign(key, claimsAt(t0, { repository: "octo/app", nested: { a: 1 } }));
      const who = await verifier.verify(token, documentProvider, t0);
      assert.equal(who.issuer, issuer);
      assert.equal(who.subject, "system:serviceaccount:payments:api");
      assert.equal(who.audience, audience);
      assert.equal(who.expiresAt, seconds(t0) + 3600);
      assert.equal(who.issuedAt, seconds(t0));
      assert.equal(who.claims.repository, "octo/app");
      assert.deepEqual(who.claims.nested, { a: 1 });
      assert.ok(Object.isFrozen(who.claims));
    }
  });

  test("an aud array: the value that matched one of the provider's audiences is reported", async () => {
    const p = provider(documentProvider.keys, { audiences: ["coffer", "other"] });
    const token = await sign(rsa, claimsAt(t0, { aud: ["unrelated", "other", "coffer"] }));
    assert.equal((await verifier.verify(token, p, t0)).audience, "other");
  });

  test("within the 60 s skew: just expired, nbf and iat slightly ahead", async () => {
    const now = seconds(t0);
    for (const claims of [
      claimsAt(t0, { iat: now - 3600, exp: now - 59 }),
      claimsAt(t0, { nbf: now + 59 }),
      claimsAt(t0, { iat: now + 59, exp: now + 600 }),
    ]) {
      await verifier.verify(await sign(rsa, claims), documentProvider, t0);
    }
  });

  test("no iat, or no kid: still verified", async () => {
    const { iat: _, ...noIat } = claimsAt(t0);
    await verifier.verify(await sign(rsa, noIat), documentProvider, t0);
    const noKid = await new SignJWT(claimsAt(t0)).setProtectedHeader({ alg: "ES256" }).sign(ec.privateKey);
    await verifier.verify(noKid, documentProvider, t0);
  });

  test("a 24-hour token (EKS's service-account tokens) is accepted", async () => {
    const now = seconds(t0);
    await verifier.verify(
      await sign(rsa, claimsAt(t0, { iat: now, exp: now + 86_400 })),
      documentProvider,
      t0,
    );
  });

  test("keys without ids and a token without one: each fitting key is tried", async () => {
    const a = await testKey("RS256", "unused");
    const b = await testKey("RS256", "unused");
    const { kid: _a, ...jwkA } = a.publicJwk;
    const { kid: _b, ...jwkB } = b.publicJwk;
    const p = provider({ source: "document", jwks: jwksOf(jwkA, jwkB) });
    const token = await new SignJWT(claimsAt(t0)).setProtectedHeader({ alg: "RS256" }).sign(b.privateKey);
    assert.equal((await verifier.verify(token, p, t0)).subject, "system:serviceaccount:payments:api");
    const forged = await new SignJWT(claimsAt(t0))
      .setProtectedHeader({ alg: "RS256" })
      .sign(attacker.privateKey);
    await refused(forged, "InvalidIdentityToken", /signature/, t0, p);
    // A signature that verifies, then a claim refused: that claim is the answer.
    const expired = await new SignJWT(claimsAt(t0 - 3 * 3600_000))
      .setProtectedHeader({ alg: "RS256" })
      .sign(b.privateKey);
    await refused(expired, "ExpiredTokenException", /expired/, t0, p);
  });
});

describe("web identity tokens: refused", () => {
  test("expired (beyond the skew) → ExpiredTokenException", async () => {
    const now = seconds(t0);
    await refused(
      await sign(rsa, claimsAt(t0, { iat: now - 7200, exp: now - 61 })),
      "ExpiredTokenException",
      /expired/,
    );
  });

  test("an expired token with a bad signature is invalid, not expired", async () => {
    const now = seconds(t0);
    const forged = await sign(attackerSameKid, claimsAt(t0, { iat: now - 7200, exp: now - 3600 }));
    await refused(forged, "InvalidIdentityToken", /signature/);
  });

  test("nbf in the future, iat in the future", async () => {
    const now = seconds(t0);
    await refused(await sign(rsa, claimsAt(t0, { nbf: now + 120 })), "InvalidIdentityToken", /not valid yet/);
    await refused(
      await sign(rsa, claimsAt(t0, { iat: now + 120, exp: now + 3600 })),
      "InvalidIdentityToken",
      /issued in the future/,
    );
  });

  test("valid for longer than 24 hours", async () => {
    const now = seconds(t0);
    await refused(
      await sign(rsa, claimsAt(t0, { iat: now, exp: now + 86_401 })),
      "InvalidIdentityToken",
      /longer than 24 hours/,
    );
    const { iat: _, ...noIat } = claimsAt(t0, { exp: now + 90_000 });
    await refused(await sign(rsa, noIat), "InvalidIdentityToken", /longer than 24 hours/);
    await refused(
      await sign(rsa, claimsAt(t0, { iat: now - 200_000, exp: now + 60 })),
      "InvalidIdentityToken",
    );
  });

  test("wrong issuer, even by a trailing slash or case", async () => {
    for (const iss of [
      "https://evil.example.com",
      `${issuer}/`,
      issuer.toUpperCase(),
      "issuer.example.com",
    ]) {
      await refused(await sign(rsa, claimsAt(t0, { iss })), "InvalidIdentityToken", /issuer/);
    }
    const { iss: _, ...noIss } = claimsAt(t0);
    await refused(await sign(rsa, noIss), "InvalidIdentityToken", /"iss"/);
  });

  test("wrong audience, no audience; a provider with no audiences accepts nothing", async () => {
    await refused(await sign(rsa, claimsAt(t0, { aud: "someone-else" })), "InvalidIdentityToken", /audience/);
    await refused(await sign(rsa, claimsAt(t0, { aud: ["a", "b"] })), "InvalidIdentityToken", /audience/);
    const { aud: _, ...noAud } = claimsAt(t0);
    await refused(await sign(rsa, noAud), "InvalidIdentityToken", /"aud"/);
    const none = provider(documentProvider.keys, { audiences: [] });
    await refused(await sign(rsa, claimsAt(t0)), "InvalidIdentityToken", /audience/, t0, none);
  });

  test("no sub, or a sub that is not a non-empty string", async () => {
    const { sub: _, ...noSub } = claimsAt(t0);
    await refused(await sign(rsa, noSub), "InvalidIdentityToken", /"sub"/);
    for (const sub of ["", 42, ["a"]] as unknown[]) {
      await refused(await sign(rsa, claimsAt(t0, { sub } as JWTPayload)), "InvalidIdentityToken", /"sub"/);
    }
  });

  test("no exp, or claims of the wrong type", async () => {
    const { exp: _, ...noExp } = claimsAt(t0);
    await refused(await sign(rsa, noExp), "InvalidIdentityToken", /"exp"/);
    for (const claims of [{ exp: "soon" }, { nbf: "now" }, { iat: "then" }]) {
      await refused(await sign(rsa, claimsAt(t0, claims as unknown as JWTPayload)), "InvalidIdentityToken");
    }
  });

  test("signed by another key: an unknown kid, the provider's kid, no kid", async () => {
    await refused(await sign(attacker, claimsAt(t0)), "InvalidIdentityToken", /None of the provider's keys/);
    await refused(await sign(attackerSameKid, claimsAt(t0)), "InvalidIdentityToken", /signature/);
    const noKid = await new SignJWT(claimsAt(t0))
      .setProtectedHeader({ alg: "RS256" })
      .sign(attacker.privateKey);
    await refused(noKid, "InvalidIdentityToken", /signature/);
  });

  test("a valid signature over other claims: payload swapped", async () => {
    const [h, , s] = (await sign(rsa, claimsAt(t0))).split(".");
    await refused(`${h}.${b64url(claimsAt(t0, { sub: "admin" }))}.${s}`, "InvalidIdentityToken", /signature/);
  });

  test('alg "none", with and without a signature', async () => {
    const payload = b64url(claimsAt(t0));
    for (const alg of ["none", "None", "NONE"]) {
      await refused(`${b64url({ alg, kid: "rsa-1" })}.${payload}.`, "InvalidIdentityToken", /well-formed/);
    }
    const [, , signature] = (await sign(rsa, claimsAt(t0))).split(".");
    await refused(`${b64url({ alg: "none" })}.${payload}.${signature}`, "InvalidIdentityToken", /algorithm/);
    await refused(`${b64url({ kid: "rsa-1" })}.${payload}.${signature}`, "InvalidIdentityToken");
  });

  test("HS256 with the RSA public key as the secret (key confusion), PEM and JWK forms", async () => {
    const pem = await exportSPKI(rsa.publicKey);
    const secrets = [
      new TextEncoder().encode(pem),
      new TextEncoder().encode(JSON.stringify(rsa.publicJwk)),
      Buffer.from(rsa.publicJwk.n ?? "", "base64url"),
    ];
    for (const secret of secrets) {
      for (const alg of ["HS256", "HS384", "HS512"]) {
        const token = await new SignJWT(claimsAt(t0)).setProtectedHeader({ alg, kid: "rsa-1" }).sign(secret);
        await refused(token, "InvalidIdentityToken", /algorithm/);
      }
    }
  });

  test("other asymmetric algorithms, even with the provider's own key: RS384, RS512, PS256, ES384, EdDSA", async () => {
    const privateJwk = await exportJWK(rsa.privateKey);
    for (const alg of ["RS384", "RS512", "PS256"]) {
      // The provider's own RSA key, imported for another algorithm (WebCrypto binds a key to one).
      const sameKey = await importJWK({ ...privateJwk, alg }, alg);
      const token = await new SignJWT(claimsAt(t0)).setProtectedHeader({ alg, kid: "rsa-1" }).sign(sameKey);
      await refused(token, "InvalidIdentityToken", /algorithm/);
    }
    const es384 = await testKey("ES384", "es384");
    const ed = await testKey("EdDSA", "ed");
    const p = provider({ source: "document", jwks: jwksOf(rsa.publicJwk, es384.publicJwk, ed.publicJwk) });
    await refused(await sign(es384, claimsAt(t0)), "InvalidIdentityToken", /algorithm/, t0, p);
    await refused(await sign(ed, claimsAt(t0)), "InvalidIdentityToken", /algorithm/, t0, p);
  });

  test("a key that does not fit the token's algorithm is not used", async () => {
    // An ES256 token naming the RSA key's kid; an RS256 token naming the EC key's kid.
    const ecAsRsa = await new SignJWT(claimsAt(t0))
      .setProtectedHeader({ alg: "ES256", kid: "rsa-1" })
      .sign(ec.privateKey);
    await refused(ecAsRsa, "InvalidIdentityToken", /None of the provider's keys/);
    const rsaAsEc = await new SignJWT(claimsAt(t0))
      .setProtectedHeader({ alg: "RS256", kid: "ec-1" })
      .sign(rsa.privateKey);
    await refused(rsaAsEc, "InvalidIdentityToken", /None of the provider's keys/);
    // Keys marked for encryption or for another algorithm.
    for (const marks of [{ use: "enc" }, { alg: "RS512" }, { key_ops: ["encrypt"] }]) {
      const p = provider({ source: "document", jwks: jwksOf({ ...rsa.publicJwk, ...marks }, ec.publicJwk) });
      await refused(
        await sign(rsa, claimsAt(t0)),
        "InvalidIdentityToken",
        /None of the provider's keys/,
        t0,
        p,
      );
    }
  });

  test("a token carrying its own key (jwk, jku, x5u headers) is refused", async () => {
    const embedded = await sign(attacker, claimsAt(t0), { jwk: attacker.publicJwk });
    await refused(embedded, "InvalidIdentityToken", /names its own key/);
    const embeddedSameKid = await sign(attackerSameKid, claimsAt(t0), { jwk: attackerSameKid.publicJwk });
    await refused(embeddedSameKid, "InvalidIdentityToken", /names its own key/);
    // Even signed by the provider's key: a header Coffer would never read has no place in the token.
    await refused(
      await sign(rsa, claimsAt(t0), { jku: "https://evil.example.com/jwks" }),
      "InvalidIdentityToken",
    );
    await refused(
      await sign(rsa, claimsAt(t0), { x5u: "https://evil.example.com/cert" }),
      "InvalidIdentityToken",
    );
  });

  test("crit headers are refused unless understood; an unencoded payload is refused", async () => {
    const token = await new SignJWT(claimsAt(t0))
      .setProtectedHeader({
        alg: "RS256",
        kid: "rsa-1",
        crit: ["http://example.com/ext"],
        "http://example.com/ext": 1,
      })
      .sign(rsa.privateKey, { crit: { "http://example.com/ext": true } });
    await refused(token, "InvalidIdentityToken", /not support/);
    const b64false = `${b64url({ alg: "RS256", kid: "rsa-1", b64: false, crit: ["b64"] })}.${b64url(claimsAt(t0))}.${"A".repeat(342)}`;
    await refused(b64false, "InvalidIdentityToken");
  });

  test("malformed token strings", async () => {
    const valid = await sign(rsa, claimsAt(t0));
    const [h, p, s] = valid.split(".");
    for (const token of [
      "",
      "abc",
      "a.b",
      "a.b.c",
      "...",
      `${h}.${p}`,
      `${h}.${p}.${s}.x`,
      `${h}.${p}.${s}.x.y`,
      `${h}!.${p}.${s}`,
      `${b64url("not json")}.${p}.${s}`,
      `${b64url([1, 2])}.${p}.${s}`,
      `${h}.${b64url("not json")}.${s}`,
      `${h}.${b64url([1])}.${s}`,
      `${h}.${b64url("null")}.${s}`,
      `${h}.${p}.${s}!!`,
      `${h}.${p}.`,
      ` ${valid}`,
      `${valid}\n`,
      `${valid}.${"a".repeat(20_000)}`,
    ]) {
      await refused(token, "InvalidIdentityToken");
    }
  });

  test("a stored document that is not a usable JWKS → IDPCommunicationError", async () => {
    const p = provider(
      { source: "document", jwks: "{}" },
      { arn: "arn:aws:iam::123456789012:oidc-provider/broken" },
    );
    await refused(await sign(rsa, claimsAt(t0)), "IDPCommunicationError", /JWKS stored for/, t0, p);
  });

  test("forget: an updated document is used; an unchanged one is not parsed again", async () => {
    const other = await testKey("RS256", "rsa-2");
    const arn = "arn:aws:iam::123456789012:oidc-provider/rotating";
    const before = provider({ source: "document", jwks: jwksOf(rsa.publicJwk) }, { arn });
    const token = await sign(other, claimsAt(t0));
    await refused(token, "InvalidIdentityToken", /None/, t0, before);
    const after = provider({ source: "document", jwks: jwksOf(rsa.publicJwk, other.publicJwk) }, { arn });
    await verifier.verify(token, after, t0);
    verifier.forget(arn);
    await verifier.verify(token, after, t0);
  });
});
