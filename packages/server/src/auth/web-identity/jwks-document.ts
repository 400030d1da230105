import { createPublicKey } from "node:crypto";
import type { JWK } from "jose";
import { maxJwksKeys, maxResponseBytes } from "./limits.js";

/** The keys of a JWKS that tokens may be verified with, and what was left out. */
export interface ParsedJwks {
  /** Public RSA (2,048 bits or more) and EC P-256 signing keys, copied with only the members verification reads. */
  keys: JWK[];
  /** Each member left out and why, for the operator (`key 2 (kid "x"): an OKP key; …`). */
  skipped: string[];
}

/** The text is not a JWKS Coffer can verify tokens with; the message says why, for the operator. */
export class InvalidJwksError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidJwksError";
  }
}

/** Members that only private or secret keys have: their presence means the wrong file was given. */
const privateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/**
 * Validates a JSON Web Key Set (RFC 7517) and keeps the keys a RS256 or ES256 token could be
 * verified with. Used for a document the operator stores (`--jwks-file`, validated before it is
 * stored) and for every JWKS fetched from an issuer. Throws {@link InvalidJwksError} when the text
 * is not JSON, not `{"keys": [...]}`, holds a private or secret key, holds more than
 * {@link maxJwksKeys} keys, or has no usable key; members of other types (an Ed25519 key, an
 * encryption key) are skipped, not refused: issuers publish them beside their signing keys.
 */
export function parseJwksDocument(text: string): ParsedJwks {
  if (Buffer.byteLength(text, "utf8") > maxResponseBytes) {
    throw new InvalidJwksError(`The JWKS is larger than ${maxResponseBytes} bytes.`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new InvalidJwksError("The JWKS is not JSON.");
  }
  if (!isObject(document) || !Array.isArray(document.keys)) {
    throw new InvalidJwksError('A JWKS is a JSON object with a "keys" array (RFC 7517).');
  }
  const members: unknown[] = document.keys;
  if (members.length > maxJwksKeys) {
    throw new InvalidJwksError(`The JWKS holds ${members.length} keys; at most ${maxJwksKeys} are accepted.`);
  }
  const keys: JWK[] = [];
  const skipped: string[] = [];
  members.forEach((member, index) => {
    if (!isObject(member) || typeof member.kty !== "string") {
      throw new InvalidJwksError(`Key ${index} of the JWKS is not a JSON Web Key (an object with a "kty").`);
    }
    const found = privateMembers.find((name) => Object.hasOwn(member, name));
    if (found !== undefined) {
      throw new InvalidJwksError(
        `Key ${describe(member, index)} of the JWKS holds private or secret key material ("${found}"): give the issuer's public keys only.`,
      );
    }
    const verdict = usableKey(member);
    if (typeof verdict === "string") skipped.push(`key ${describe(member, index)}: ${verdict}`);
    else keys.push(verdict);
  });
  if (keys.length === 0) {
    const why = skipped.length === 0 ? "it is empty" : skipped.join("; ");
    throw new InvalidJwksError(
      `The JWKS has no key a RS256 or ES256 token could be verified with (an RSA key of 2048 bits or more, or an EC P-256 key, for signing): ${why}.`,
    );
  }
  return { keys, skipped };
}

/** The key, copied with the members jose reads, or why it cannot verify a RS256 or ES256 token. */
function usableKey(jwk: Record<string, unknown>): JWK | string {
  const { kty, kid, use, alg, key_ops: keyOps } = jwk;
  if (kid !== undefined && typeof kid !== "string") return 'its "kid" is not a string';
  if (use !== undefined && use !== "sig") return 'its "use" is not "sig"';
  if (keyOps !== undefined && !(Array.isArray(keyOps) && keyOps.includes("verify"))) {
    return 'its "key_ops" do not include "verify"';
  }
  if (kty !== "RSA" && kty !== "EC")
    return `a ${String(kty).slice(0, 16)} key (only RSA and EC keys are used)`;
  const expectedAlg = kty === "RSA" ? "RS256" : "ES256";
  if (alg !== undefined && alg !== expectedAlg) return `its "alg" is not ${expectedAlg}`;
  const material =
    kty === "RSA" ? pick(jwk, ["n", "e"]) : jwk.crv === "P-256" ? pick(jwk, ["crv", "x", "y"]) : undefined;
  if (material === undefined) return "an EC key on a curve other than P-256";
  if (typeof material === "string") return material;
  try {
    const key = createPublicKey({ key: { kty, ...material }, format: "jwk" });
    const bits = key.asymmetricKeyDetails?.modulusLength;
    if (kty === "RSA" && (bits === undefined || bits < 2048)) return "an RSA key shorter than 2048 bits";
  } catch {
    return "its key material is not a valid public key";
  }
  return {
    kty,
    ...material,
    ...(kid === undefined ? {} : { kid }),
    ...(alg === undefined ? {} : { alg: expectedAlg }),
    use: "sig",
  };
}

function pick(jwk: Record<string, unknown>, names: string[]): Record<string, string> | string {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = jwk[name];
    if (typeof value !== "string" || value === "") return `its "${name}" is missing`;
    picked[name] = value;
  }
  return picked;
}

function describe(member: Record<string, unknown>, index: number): string {
  return typeof member.kid === "string"
    ? `${index} (kid ${JSON.stringify(member.kid.slice(0, 64))})`
    : `${index}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
