import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";
import type { OidcProviderRecord } from "../../domain/ports/identity-store.js";

/** A fixed "now" for the tests (ms): nothing here reads the clock. */
export const t0 = Date.UTC(2026, 5, 1, 12, 0, 0);
export const seconds = (ms: number) => Math.floor(ms / 1000);
export const issuer = "https://issuer.example.com";
export const audience = "sts.amazonaws.com";

export interface TestKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

export async function testKey(alg: string, kid: string, options: { crv?: string } = {}): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...options });
  const publicJwk = { ...(await exportJWK(publicKey)), kid };
  return { kid, alg, privateKey, publicKey, publicJwk };
}

/** A JWKS of these members, as given (tests put odd members in on purpose). */
export function jwksOf(...jwks: object[]): string {
  return JSON.stringify({ keys: jwks });
}

/** Claims a valid token carries at `now` (ms). */
export function claimsAt(now: number, overrides: JWTPayload = {}): JWTPayload {
  return {
    iss: issuer,
    aud: audience,
    sub: "system:serviceaccount:payments:api",
    iat: seconds(now),
    exp: seconds(now) + 3600,
    ...overrides,
  };
}

/** Signs `claims` exactly as given (absent claims stay absent) with `key`, `kid` in the header unless overridden. */
export function sign(
  key: TestKey,
  claims: JWTPayload,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, ...header })
    .sign(key.privateKey);
}

export function provider(
  keys: OidcProviderRecord["keys"],
  overrides: Partial<OidcProviderRecord> = {},
): OidcProviderRecord {
  return {
    arn: "arn:aws:iam::123456789012:oidc-provider/issuer.example.com",
    issuer,
    audiences: [audience],
    keys,
    tags: [],
    createdAt: t0,
    ...overrides,
  };
}

export const b64url = (value: unknown) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

type Answer = { status: number; body: string | Buffer; headers?: Record<string, string> } | "hang";

/**
 * A local issuer on 127.0.0.1 serving its discovery document and JWKS, counting requests. Each
 * answer can be replaced; "hang" keeps a request open until the server closes.
 */
export async function localIssuer() {
  const counts = { discovery: 0, jwks: 0 };
  let jwks = jwksOf();
  const overrides: { discovery?: Answer; jwks?: Answer } = {};
  let onRequest: (path: string) => void = () => {};
  let held: Array<() => void> = [];
  let holding = false;
  const server = createServer((request, response) => {
    const path = request.url ?? "";
    const reply = (answer: Answer) => {
      if (answer === "hang") return;
      const send = () => write(response, answer);
      if (holding) held.push(send);
      else send();
    };
    if (path === "/.well-known/openid-configuration") {
      counts.discovery += 1;
      onRequest(path);
      reply(
        overrides.discovery ?? {
          status: 200,
          body: JSON.stringify({ issuer: url, jwks_uri: `${url}/jwks` }),
          headers: { "content-type": "application/json" },
        },
      );
    } else if (path === "/jwks") {
      counts.jwks += 1;
      onRequest(path);
      reply(overrides.jwks ?? { status: 200, body: jwks, headers: { "content-type": "application/json" } });
    } else if (path.startsWith("/redirect?to=")) {
      reply({
        status: 302,
        body: "",
        headers: { location: decodeURIComponent(path.slice("/redirect?to=".length)) },
      });
    } else {
      reply({ status: 404, body: "not found" });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    counts,
    overrides,
    setJwks(text: string) {
      jwks = text;
    },
    /** Answers wait until {@link release}; `seen` resolves when a request for `path` arrives. */
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      for (const send of held) send();
      held = [];
    },
    requestSeen(path: string): Promise<void> {
      return new Promise((resolve) => {
        onRequest = (seen) => {
          if (seen === path) resolve();
        };
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function write(response: ServerResponse, answer: Exclude<Answer, "hang">) {
  response.writeHead(answer.status, answer.headers ?? {}).end(answer.body);
}
