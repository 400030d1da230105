import {
  type CompactJWSHeaderParameters,
  decodeProtectedHeader,
  errors,
  type FlattenedJWSInput,
  type JWTPayload,
  type JWTVerifyOptions,
  jwtVerify,
} from "jose";
import type { OidcProviderRecord } from "../../domain/ports/identity-store.js";
import type { VerifiedWebIdentity } from "../../domain/ports/web-identity.js";
import { isCompactJws } from "./compact-jws.js";
import type { KeySource } from "./key-source.js";
import { acceptedAlgorithms, clockSkewSeconds, maxTokenLength, maxTokenLifetimeSeconds } from "./limits.js";
import { invalidToken, malformed, refusalFor } from "./refusal.js";

/**
 * Headers by which a token would name its own key or where to fetch one (RFC 7515, 4.1.2 to 4.1.5;
 * RFC 8725, 3.10). Keys come from the provider only, so a token carrying one is refused rather than
 * have its header silently ignored. `x5c`/`x5t` are not refused: some issuers send them beside
 * `kid`, and nothing reads them.
 */
const selfKeyHeaders = ["jwk", "jku", "x5u"];

/**
 * Verifies a web identity token against one provider (ADR 0011, decision 5): RS256 or ES256 only,
 * with a key from the provider's keys only; `iss` the provider's issuer exactly; `aud` one of its
 * audiences; `sub` and `exp` present; `exp`, `nbf` and `iat` within {@link clockSkewSeconds} of
 * `now` (ms); valid for at most {@link maxTokenLifetimeSeconds}. The signature is checked before any
 * claim, so an expired forgery is refused as invalid, not as expired. Throws WebIdentityTokenError.
 */
export async function verifyToken(
  token: string,
  provider: OidcProviderRecord,
  keys: KeySource,
  now: number,
): Promise<VerifiedWebIdentity> {
  if (token.length > maxTokenLength) {
    throw invalidToken(`The web identity token is longer than ${maxTokenLength} characters.`);
  }
  if (!isCompactJws(token)) throw malformed();
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw malformed();
  }
  const selfKey = selfKeyHeaders.find((name) => Object.hasOwn(header, name));
  if (selfKey !== undefined) {
    throw invalidToken(
      `The web identity token names its own key ("${selfKey}" header): only the provider's keys verify tokens.`,
    );
  }
  if (provider.audiences.length === 0) {
    throw invalidToken("Incorrect token audience: the provider accepts no audience.");
  }
  const options: JWTVerifyOptions = {
    algorithms: [...acceptedAlgorithms],
    issuer: provider.issuer,
    audience: provider.audiences,
    requiredClaims: ["exp", "sub"],
    currentDate: new Date(now),
    clockTolerance: clockSkewSeconds,
  };
  let payload: JWTPayload;
  try {
    payload = await verifiedPayload(token, options, keyResolver(keys, now));
  } catch (error) {
    throw refusalFor(error, provider);
  }
  return checkedIdentity(payload, provider, now);
}

/** Asks the source again, once, when no key fits the token: the issuer may have rotated its keys. */
function keyResolver(keys: KeySource, now: number) {
  return async (header: CompactJWSHeaderParameters, jws: FlattenedJWSInput) => {
    const set = await keys.current(now);
    try {
      return await set(header, jws);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      const newer = await keys.afterUnknownKey(now);
      if (newer === set) throw error;
      return newer(header, jws);
    }
  };
}

async function verifiedPayload(
  token: string,
  options: JWTVerifyOptions,
  getKey: ReturnType<typeof keyResolver>,
): Promise<JWTPayload> {
  try {
    return (await jwtVerify(token, getKey, options)).payload;
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
    // Several keys fit (keys without ids, a token without one): the token is the issuer's if one of
    // them verifies it. A claim refused after a signature verified is the answer, not a reason to go on.
    for await (const key of error) {
      try {
        return (await jwtVerify(token, key, options)).payload;
      } catch (attempt) {
        if (!(attempt instanceof errors.JWSSignatureVerificationFailed)) throw attempt;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
}

/** What jose leaves to the caller: `sub` a non-empty string, `iat` not in the future, a bounded lifetime. */
function checkedIdentity(
  payload: JWTPayload,
  provider: OidcProviderRecord,
  now: number,
): VerifiedWebIdentity {
  const nowSeconds = Math.floor(now / 1000);
  const { sub, exp, iat, aud } = payload;
  if (typeof sub !== "string" || sub === "")
    throw invalidToken('The web identity token\'s "sub" claim is not a non-empty string.');
  if (typeof exp !== "number" || !Number.isFinite(exp))
    throw invalidToken('The web identity token\'s "exp" claim is not valid.');
  if (iat !== undefined && (typeof iat !== "number" || !Number.isFinite(iat))) {
    throw invalidToken('The web identity token\'s "iat" claim is not valid.');
  }
  if (iat !== undefined && iat > nowSeconds + clockSkewSeconds) {
    throw invalidToken(
      "The web identity token was issued in the future (its iat is ahead of Coffer's clock).",
    );
  }
  if (exp - (iat ?? nowSeconds) > maxTokenLifetimeSeconds) {
    throw invalidToken(
      `The web identity token is valid for longer than ${maxTokenLifetimeSeconds / 3600} hours; Coffer accepts short-lived tokens only.`,
    );
  }
  const audiences = typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud : [];
  const audience = audiences.find((value) => typeof value === "string" && provider.audiences.includes(value));
  if (audience === undefined) {
    throw invalidToken("Incorrect token audience: the token's aud names none of the provider's audiences.");
  }
  return {
    issuer: provider.issuer,
    subject: sub,
    audience,
    expiresAt: exp,
    issuedAt: iat,
    claims: Object.freeze(payload),
  };
}
