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
  const keyring = openKeyring({ home: "/nonexistent", masterKeyBase64: randomBytes(32).toString("base64") });
  const services = createIdentityServices({
    store: handle.stores.identity,
    envelope: createEnvelope(keyring),
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
  return { services, exchange, signIn, advance: (ms: number) => (now += ms) };
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
});
