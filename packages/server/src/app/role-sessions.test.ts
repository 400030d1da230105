import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, describe, it } from "node:test";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { createSigV4Verifier } from "../auth/sigv4/index.js";
import { createEnvelope } from "../crypto/envelope.js";
import { openKeyring } from "../crypto/keyring.js";
import { createAuthenticate } from "../pipeline/authenticate.js";
import type { RequestRecord } from "../pipeline/request-record.js";
import { openTestStores, requireTestStores } from "../storage/test-stores.test-helper.js";
import { createIdentityServices } from "./identity-services.js";

// Role sessions as the server composes them (createIdentityServices), on the engine COFFER_TEST_STORE
// names, with a clock the test moves: a session lasts exactly what was asked and no longer, the
// role's limit holds, session tags need the trust policy's sts:TagSession, and a deleted role takes
// its sessions with it.

const { skip } = requireTestStores();
const accountId = "123456789012";
const issuer = "https://issuer.test.example";
const roleArn = `arn:aws:iam::${accountId}:role/worker`;
const t0 = Date.UTC(2026, 11, 4, 12, 0, 0);

async function world() {
  let now = t0;
  const clock = () => now;
  const handle = await openTestStores();
  after(() => handle.close());
  const previousKey = randomBytes(32).toString("base64");
  const envelopeWith = (active: string, previous: string[] = []) =>
    createEnvelope(
      openKeyring({ home: "/nonexistent", masterKeyBase64: active, previousKeysBase64: previous }),
    );
  const envelope = envelopeWith(previousKey);
  const services = createIdentityServices({
    store: handle.stores.identity,
    envelope,
    accountId,
    now: clock,
  });
  const keys = await generateKeyPair("ES256");
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: "e1", alg: "ES256", use: "sig" };
  await services.oidcProviders.addProvider({
    issuer,
    audiences: ["coffer"],
    keys: { jwksDocument: JSON.stringify({ keys: [jwk] }) },
  });
  const federated = `arn:aws:iam::${accountId}:oidc-provider/issuer.test.example`;
  await services.roles.createRole({
    name: "worker",
    maxSessionDurationSeconds: 7200,
    trustPolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { Federated: federated }, Action: "sts:AssumeRoleWithWebIdentity" },
      ],
    }),
  });
  await services.roles.putRolePolicy(
    "worker",
    "read",
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" }],
    }),
  );
  const token = (claims: JWTPayload = {}) =>
    new SignJWT({ sub: "job-7", ...claims })
      .setProtectedHeader({ alg: "ES256", kid: "e1" })
      .setIssuer(issuer)
      .setAudience("coffer")
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(now / 1000) + 300)
      .sign(keys.privateKey);
  const exchange = async (claims: JWTPayload = {}, durationSeconds?: number) =>
    services.sts.assumeRoleWithWebIdentity({
      roleArn,
      roleSessionName: "job-7",
      webIdentityToken: await token(claims),
      durationSeconds,
      sourceIp: "192.0.2.1",
    });
  const authenticate = createAuthenticate({
    verifier: createSigV4Verifier({ service: "sts", now: clock }),
    accessKeys: services.accessKeys,
    now: clock,
  });
  /** Authenticates a GetCallerIdentity signed with the session's credentials at the test's `now`. */
  const signIn = async (session: { accessKeyId: string; secretAccessKey: string; sessionToken: string }) => {
    const body = "Action=GetCallerIdentity&Version=2011-06-15";
    const signer = new SignatureV4({
      service: "sts",
      region: "us-east-1",
      credentials: session,
      sha256: Hash.bind(null, "sha256"),
    });
    const headers = { "content-type": "application/x-www-form-urlencoded", host: "coffer.test" };
    const signed = await signer.sign(
      { method: "POST", protocol: "http:", hostname: "coffer.test", path: "/", headers, body },
      { signingDate: new Date(now) },
    );
    const record = { sourceIp: "192.0.2.1" } as RequestRecord;
    const call = {
      method: "POST",
      url: "/",
      headers: signed.headers,
      rawHeaders: Object.entries(signed.headers).flat(),
      sourceIp: "192.0.2.1",
      readBody: () => Promise.resolve(Buffer.from(body)),
      discardBody: () => Promise.resolve(),
    };
    return authenticate(call, Buffer.from(body), record, "sts");
  };
  const attacker = await generateKeyPair("ES256");
  const attackerJwk = { ...(await exportJWK(attacker.publicKey)), kid: "e1", alg: "ES256", use: "sig" };
  /** A token of the attacker's own key, otherwise as good as the issuer's. */
  const forged = () =>
    new SignJWT({ sub: "job-7" })
      .setProtectedHeader({ alg: "ES256", kid: "e1" })
      .setIssuer(issuer)
      .setAudience("coffer")
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(now / 1000) + 300)
      .sign(attacker.privateKey);
  return {
    services,
    token,
    exchange,
    signIn,
    handle,
    forged,
    attackerJwks: JSON.stringify({ keys: [attackerJwk] }),
    previousKey,
    envelopeWith,
    advance: (ms: number) => (now += ms),
  };
}

describe("role sessions", { skip }, () => {
  it("last exactly the duration asked for, then are refused as expired", async () => {
    const { exchange, signIn, advance } = await world();
    const session = await exchange({}, 900);
    assert.equal(session.expiresAt, t0 + 900_000);
    advance(899_000);
    const caller = await signIn(session);
    assert.equal(caller.principal, `arn:aws:sts::${accountId}:assumed-role/worker/job-7`);
    assert.equal(caller.session?.roleArn, roleArn);
    advance(1_000);
    await assert.rejects(signIn(session), { name: "ExpiredTokenException" });
  });

  it("outlive the token that bought them, but never the role's MaxSessionDuration", async () => {
    const { exchange, signIn, advance } = await world();
    const session = await exchange({}, 7200);
    advance(3_600_000); // the token expired long ago
    await signIn(session);
    await assert.rejects(exchange({}, 7201), { name: "StsValidationError" });
    await assert.rejects(exchange({}, 899), { name: "StsValidationError" });
  });

  it("take session tags from the token only when the trust policy allows sts:TagSession", async () => {
    const { exchange, services } = await world();
    const tags = { "https://aws.amazon.com/tags": { principal_tags: { team: ["payments"] } } };
    await assert.rejects(exchange(tags), { name: "StsAccessDeniedException" });
    const federated = `arn:aws:iam::${accountId}:oidc-provider/issuer.test.example`;
    await services.roles.updateTrustPolicy(
      "worker",
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: federated },
            Action: ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
          },
        ],
      }),
    );
    const session = await exchange(tags);
    const stored = await services.accessKeys.lookup(session.accessKeyId);
    assert.deepEqual(stored?.session?.tags, [{ Key: "team", Value: "payments" }]);
  });

  it("end with their role: a deleted role's session keys are gone and its ARN is allowed nothing", async () => {
    const { exchange, signIn, services } = await world();
    const session = await exchange();
    const caller = {
      principal: session.assumedRoleArn,
      accessKeyId: session.accessKeyId,
      sourceIp: "192.0.2.1",
    };
    await services.authorizer.check(caller, "secretsmanager:GetSecretValue", "*");
    await services.roles.deleteRole("worker");
    await assert.rejects(signIn(session), { name: "UnrecognizedClientException" });
    await assert.rejects(services.authorizer.check(caller, "secretsmanager:GetSecretValue", "*"), {
      name: "AccessDeniedException",
    });
  });

  it("trust no provider or trust policy edited in the database, bypassing Coffer (ADR 0006, 0011)", async () => {
    const { services, handle, forged, attackerJwks } = await world();
    const asAttacker = (token: string) =>
      services.sts.assumeRoleWithWebIdentity({
        roleArn,
        roleSessionName: "x-1",
        webIdentityToken: token,
        sourceIp: "",
      });
    // The provider's keys swapped for the attacker's: the seal no longer matches.
    await handle.rawSql("UPDATE oidc_providers SET jwks = $1", [attackerJwks]);
    await assert.rejects(asAttacker(await forged()), { name: "InvalidIdentityTokenException" });
    // A provider of the attacker's own, unsealed, and the role's trust pointed at it.
    await handle.rawSql("DELETE FROM oidc_providers");
    await handle.rawSql(
      `INSERT INTO oidc_providers (arn, issuer, audiences, keys_source, jwks, jwks_url, tags, created_at)
       VALUES ($1, $2, $3, 'document', $4, NULL, '[]', 0)`,
      [`arn:aws:iam::${accountId}:oidc-provider/issuer.test.example`, issuer, '["coffer"]', attackerJwks],
    );
    await assert.rejects(asAttacker(await forged()), { name: "InvalidIdentityTokenException" });
    // A provider Coffer sealed (with these keys) is trusted; then the role's trust edited in the database.
    await handle.rawSql("DELETE FROM oidc_providers");
    await services.oidcProviders.addProvider({
      issuer,
      audiences: ["coffer"],
      keys: { jwksDocument: attackerJwks },
    });
    await asAttacker(await forged()); // sealed by Coffer: trusted
    const [row] = await handle.rawSql("SELECT role FROM principals WHERE arn = $1", [roleArn]);
    const settings = JSON.parse(String(row?.role));
    settings.maxSessionDurationSeconds = 43200;
    await handle.rawSql("UPDATE principals SET role = $1 WHERE arn = $2", [
      JSON.stringify(settings),
      roleArn,
    ]);
    await assert.rejects(asAttacker(await forged()), { name: "StsAccessDeniedException" });
  });

  it("move their seals to a new master key with coffer keys rotate's re-seal", async () => {
    const { handle, token, previousKey, envelopeWith } = await world();
    const { resealIdentityUnderActiveKey } = await import("../domain/identity/identity-binding.js");
    const newKey = randomBytes(32).toString("base64");
    const rotated = envelopeWith(newKey, [previousKey]);
    // The id a seal made now carries is the active key's.
    const newId = rotated.authenticate(Buffer.alloc(0)).kekId;
    const result = await resealIdentityUnderActiveKey(handle.stores.identity, rotated, newId);
    assert.deepEqual(result, { resealed: 2, unverifiable: 0, keptKekIds: [] });
    // With only the new key, the provider and the role still let the workload in.
    const onlyNew = createIdentityServices({
      store: handle.stores.identity,
      envelope: envelopeWith(newKey),
      accountId,
      now: () => t0,
    });
    const session = await onlyNew.sts.assumeRoleWithWebIdentity({
      roleArn,
      roleSessionName: "after-rotation",
      webIdentityToken: await token(),
      sourceIp: "",
    });
    assert.match(session.accessKeyId, /^ASIA/);
  });
});
