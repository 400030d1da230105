import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { OidcProviderRecord } from "../../domain/ports/identity-store.js";
import { type WebIdentityRefusal, WebIdentityTokenError } from "../../domain/ports/web-identity.js";
import { createWebIdentityVerifier } from "./index.js";
import { maxStaleKeysMs } from "./limits.js";
import {
  claimsAt,
  jwksOf,
  localIssuer,
  provider,
  sign,
  type TestKey,
  t0,
  testKey,
} from "./web-identity.test-helper.js";

/**
 * Keys fetched from the issuer (a local HTTP issuer on 127.0.0.1): discovery, caching, rotation,
 * the refetch rate limit, one fetch for concurrent verifications, and every way the issuer can fail.
 * Time is the `now` given to verify: nothing here waits for a clock.
 */

let issuerServer: Awaited<ReturnType<typeof localIssuer>>;
let keyA: TestKey;
let keyB: TestKey;
let arnCounter = 0;

before(async () => {
  issuerServer = await localIssuer();
  keyA = await testKey("RS256", "key-a");
  keyB = await testKey("ES256", "key-b");
});
after(() => issuerServer.close());

/** A provider of the local issuer with an ARN of its own (so each test has its own cache). */
function localProvider(url: string | undefined = undefined): OidcProviderRecord {
  arnCounter += 1;
  return provider(
    { source: "url", url },
    { issuer: issuerServer.url, arn: `arn:aws:iam::123456789012:oidc-provider/local-${arnCounter}` },
  );
}

function token(key: TestKey, now = t0) {
  return sign(key, claimsAt(now, { iss: issuerServer.url }));
}

/** Resets the local issuer to serve `jwks` normally and zeroes its counters. */
function serve(jwks: string) {
  issuerServer.setJwks(jwks);
  delete issuerServer.overrides.discovery;
  delete issuerServer.overrides.jwks;
  issuerServer.counts.discovery = 0;
  issuerServer.counts.jwks = 0;
}

async function refused(
  promise: Promise<unknown>,
  refusal: WebIdentityRefusal,
  message: RegExp,
): Promise<WebIdentityTokenError> {
  let caught: WebIdentityTokenError | undefined;
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof WebIdentityTokenError, String(error));
    assert.equal(error.refusal, refusal, error.message);
    assert.match(error.message, message);
    caught = error;
    return true;
  });
  return caught as WebIdentityTokenError;
}

describe("web identity keys from the issuer", () => {
  test("discovery: jwks_uri from <issuer>/.well-known/openid-configuration; then cached", async () => {
    serve(jwksOf(keyA.publicJwk));
    const verifier = createWebIdentityVerifier();
    const p = localProvider();
    assert.equal((await verifier.verify(await token(keyA), p, t0)).issuer, issuerServer.url);
    assert.deepEqual(issuerServer.counts, { discovery: 1, jwks: 1 });
    await verifier.verify(await token(keyA), p, t0 + 60_000);
    assert.deepEqual(issuerServer.counts, { discovery: 1, jwks: 1 });
  });

  test("a configured JWKS URL: no discovery", async () => {
    serve(jwksOf(keyA.publicJwk));
    const verifier = createWebIdentityVerifier();
    await verifier.verify(await token(keyA), localProvider(`${issuerServer.url}/jwks`), t0);
    assert.deepEqual(issuerServer.counts, { discovery: 0, jwks: 1 });
  });

  test("key rotation: an unknown kid fetches again (at most once per 30 s); known kids verify from the cache", async () => {
    serve(jwksOf(keyA.publicJwk));
    const verifier = createWebIdentityVerifier();
    const p = localProvider();
    await verifier.verify(await token(keyA), p, t0);
    issuerServer.setJwks(jwksOf(keyB.publicJwk)); // the issuer rotates: A withdrawn, B published

    // The old kid still verifies while cached; nothing is fetched for it.
    await verifier.verify(await token(keyA, t0 + 5_000), p, t0 + 5_000);
    assert.equal(issuerServer.counts.jwks, 1);

    // The new kid, 10 s after the last fetch: the rate limit holds; refused, nothing fetched.
    await refused(
      verifier.verify(await token(keyB, t0 + 10_000), p, t0 + 10_000),
      "InvalidIdentityToken",
      /None/,
    );
    assert.equal(issuerServer.counts.jwks, 1);

    // 31 s after it: fetched again, and the new key verifies.
    await verifier.verify(await token(keyB, t0 + 31_000), p, t0 + 31_000);
    assert.deepEqual(issuerServer.counts, { discovery: 2, jwks: 2 });

    // The withdrawn key is gone with the new set; asking again right away is rate limited too.
    await refused(
      verifier.verify(await token(keyA, t0 + 32_000), p, t0 + 32_000),
      "InvalidIdentityToken",
      /None/,
    );
    assert.equal(issuerServer.counts.jwks, 2);
  });

  test("a rotation with an overlap: old and new keys both verify after the refetch", async () => {
    serve(jwksOf(keyA.publicJwk));
    const verifier = createWebIdentityVerifier();
    const p = localProvider();
    await verifier.verify(await token(keyA), p, t0);
    issuerServer.setJwks(jwksOf(keyA.publicJwk, keyB.publicJwk));
    await verifier.verify(await token(keyB, t0 + 40_000), p, t0 + 40_000);
    await verifier.verify(await token(keyA, t0 + 41_000), p, t0 + 41_000);
    assert.equal(issuerServer.counts.jwks, 2);
  });

  test("cache lifetime: Cache-Control max-age within [5 min, 6 h], else 1 h", async () => {
    const cases: Array<{ cacheControl: string | undefined; ttlMs: number }> = [
      { cacheControl: "public, max-age=600", ttlMs: 600_000 },
      { cacheControl: "max-age=1", ttlMs: 300_000 },
      { cacheControl: "no-cache", ttlMs: 300_000 },
      { cacheControl: "max-age=604800", ttlMs: 6 * 3600_000 },
      { cacheControl: undefined, ttlMs: 3600_000 },
    ];
    for (const { cacheControl, ttlMs } of cases) {
      serve(jwksOf(keyA.publicJwk));
      issuerServer.overrides.jwks = {
        status: 200,
        body: jwksOf(keyA.publicJwk),
        headers: cacheControl === undefined ? {} : { "cache-control": cacheControl },
      };
      const verifier = createWebIdentityVerifier();
      const p = localProvider(`${issuerServer.url}/jwks`);
      await verifier.verify(await token(keyA), p, t0);
      const later = t0 + ttlMs - 1_000;
      await verifier.verify(await token(keyA, later), p, later);
      assert.equal(issuerServer.counts.jwks, 1, `still cached just before ${ttlMs} ms (${cacheControl})`);
      const expired = t0 + ttlMs + 1_000;
      await verifier.verify(await token(keyA, expired), p, expired);
      assert.equal(issuerServer.counts.jwks, 2, `fetched again after ${ttlMs} ms (${cacheControl})`);
    }
  });

  test("concurrent verifications with nothing cached share one fetch", async () => {
    serve(jwksOf(keyA.publicJwk));
    const verifier = createWebIdentityVerifier();
    const p = localProvider();
    issuerServer.hold();
    const seen = issuerServer.requestSeen("/.well-known/openid-configuration");
    const verifications = Array.from({ length: 10 }, async () => verifier.verify(await token(keyA), p, t0));
    // Every verification is waiting on the fetch before the issuer can even see the request
    // (signing and verifying up to the fetch are microtasks; the request is I/O).
    await seen;
    issuerServer.release();
    const results = await Promise.all(verifications);
    assert.equal(results.length, 10);
    assert.deepEqual(issuerServer.counts, { discovery: 1, jwks: 1 });
  });

  test("forget: the next verification fetches again", async () => {
    serve(jwksOf(keyA.publicJwk));
    const verifier = createWebIdentityVerifier();
    const p = localProvider();
    await verifier.verify(await token(keyA), p, t0);
    verifier.forget(p.arn);
    await verifier.verify(await token(keyA), p, t0 + 1_000);
    assert.equal(issuerServer.counts.jwks, 2);
  });

  test("a provider whose key settings changed gets new keys even without forget", async () => {
    serve(jwksOf(keyA.publicJwk));
    const verifier = createWebIdentityVerifier();
    const p = localProvider();
    await verifier.verify(await token(keyA), p, t0);
    const stored = { ...p, keys: { source: "document" as const, jwks: jwksOf(keyB.publicJwk) } };
    await verifier.verify(await token(keyB), stored, t0 + 1_000);
    await refused(verifier.verify(await token(keyA), stored, t0 + 2_000), "InvalidIdentityToken", /None/);
  });

  test("redirects are followed to acceptable URLs only", async () => {
    serve(jwksOf(keyA.publicJwk));
    const verifier = createWebIdentityVerifier();
    const to = (target: string) => `${issuerServer.url}/redirect?to=${encodeURIComponent(target)}`;
    await verifier.verify(await token(keyA), localProvider(to(`${issuerServer.url}/jwks`)), t0);
    await refused(
      verifier.verify(await token(keyA), localProvider(to("http://example.com/jwks")), t0),
      "IDPCommunicationError",
      /http:\/\/example\.com\/jwks is refused: only https/,
    );
    const loop = to(to(to(to(`${issuerServer.url}/jwks`))));
    await refused(
      verifier.verify(await token(keyA), localProvider(loop), t0),
      "IDPCommunicationError",
      /redirects more/,
    );
  });
});

describe("web identity keys: the issuer fails → IDPCommunicationError", () => {
  test("nothing listens", async () => {
    const gone = await localIssuer();
    await gone.close();
    const verifier = createWebIdentityVerifier();
    const p = provider(
      { source: "url", url: `${gone.url}/jwks?key=CANARY-query` },
      { issuer: issuerServer.url },
    );
    const error = await refused(
      verifier.verify(await token(keyA), p, t0),
      "IDPCommunicationError",
      /Couldn't retrieve the verification keys .*ECONNREFUSED/,
    );
    assert.ok(error.message.includes(`${gone.url}/jwks`));
    // A configured URL's query could hold a credential: messages reach the caller, so it is not shown.
    assert.ok(!error.message.includes("CANARY"), error.message);
  });

  test("non-200, not JSON, not a JWKS, no usable key, not UTF-8, discovery for another issuer or without jwks_uri", async () => {
    const cases: Array<{
      discovery?: { status: number; body: string };
      jwks?: { status: number; body: string | Buffer };
      message: RegExp;
    }> = [
      { jwks: { status: 500, body: "oops" }, message: /answered HTTP 500/ },
      { jwks: { status: 404, body: "" }, message: /answered HTTP 404/ },
      { jwks: { status: 200, body: "<html>" }, message: /not JSON/ },
      { jwks: { status: 200, body: '{"keys": {}}' }, message: /"keys" array/ },
      { jwks: { status: 200, body: '{"keys": []}' }, message: /no key .* it is empty/ },
      { jwks: { status: 200, body: jwksOf({ kty: "OKP", crv: "Ed25519", x: "AA" }) }, message: /OKP key/ },
      { jwks: { status: 200, body: Buffer.from([0x7b, 0xff, 0x7d]) }, message: /not UTF-8/ },
      { discovery: { status: 500, body: "" }, message: /discovery document .* answered HTTP 500/ },
      { discovery: { status: 200, body: "[]" }, message: /not a JSON object/ },
      {
        discovery: {
          status: 200,
          body: JSON.stringify({ issuer: "https://evil.example.com", jwks_uri: "x" }),
        },
        message: /for another issuer/,
      },
      {
        discovery: { status: 200, body: JSON.stringify({ issuer: issuerServer.url }) },
        message: /no "jwks_uri"/,
      },
      {
        discovery: {
          status: 200,
          body: JSON.stringify({ issuer: issuerServer.url, jwks_uri: "http://keys.example.com/jwks" }),
        },
        message: /is refused: only https/,
      },
    ];
    for (const { discovery, jwks, message } of cases) {
      serve(jwksOf(keyA.publicJwk));
      if (discovery) issuerServer.overrides.discovery = discovery;
      if (jwks) issuerServer.overrides.jwks = jwks;
      const verifier = createWebIdentityVerifier();
      await refused(
        verifier.verify(await token(keyA), localProvider(), t0),
        "IDPCommunicationError",
        message,
      );
    }
  });

  test("an answer over the size bound is refused, with or without Content-Length", async () => {
    const big = JSON.stringify({ keys: [keyA.publicJwk], padding: "x".repeat(1024 * 1024) });
    const headerSets: Array<Record<string, string>> = [
      { "content-length": String(Buffer.byteLength(big)) },
      { "transfer-encoding": "chunked" },
    ];
    for (const headers of headerSets) {
      serve(jwksOf(keyA.publicJwk));
      issuerServer.overrides.jwks = { status: 200, body: big, headers };
      const verifier = createWebIdentityVerifier();
      await refused(
        verifier.verify(await token(keyA), localProvider(), t0),
        "IDPCommunicationError",
        /larger than 1048576 bytes/,
      );
    }
  });

  test("no answer within the timeout", async () => {
    serve(jwksOf(keyA.publicJwk));
    issuerServer.overrides.jwks = "hang";
    const verifier = createWebIdentityVerifier({ fetchTimeoutMs: 200 });
    await refused(
      verifier.verify(await token(keyA), localProvider(), t0),
      "IDPCommunicationError",
      /no answer within 200 ms/,
    );
  });

  test("after a failure, the issuer is not asked again for 30 s", async () => {
    serve(jwksOf(keyA.publicJwk));
    issuerServer.overrides.jwks = { status: 503, body: "" };
    const verifier = createWebIdentityVerifier();
    const p = localProvider();
    await refused(verifier.verify(await token(keyA), p, t0), "IDPCommunicationError", /HTTP 503/);
    await refused(verifier.verify(await token(keyA), p, t0 + 20_000), "IDPCommunicationError", /HTTP 503/);
    assert.equal(issuerServer.counts.jwks, 1);
    delete issuerServer.overrides.jwks;
    await verifier.verify(await token(keyA, t0 + 31_000), p, t0 + 31_000);
    assert.equal(issuerServer.counts.jwks, 2);
  });

  test("a failed refresh keeps serving the cached keys (for up to 24 h); an unknown kid then is IDPCommunicationError", async () => {
    serve(jwksOf(keyA.publicJwk));
    const verifier = createWebIdentityVerifier();
    const p = localProvider();
    await verifier.verify(await token(keyA), p, t0);
    issuerServer.overrides.jwks = { status: 500, body: "" };

    const stale = t0 + 2 * 3600_000; // past the 1 h lifetime: a refresh is attempted and fails
    await verifier.verify(await token(keyA, stale), p, stale);
    assert.equal(issuerServer.counts.jwks, 2);
    await refused(
      verifier.verify(await token(keyB, stale + 1_000), p, stale + 1_000),
      "IDPCommunicationError",
      /HTTP 500/,
    );

    const tooOld = t0 + maxStaleKeysMs + 1_000;
    await refused(verifier.verify(await token(keyA, tooOld), p, tooOld), "IDPCommunicationError", /HTTP 500/);
  });
});
