import { decodeJwt, decodeProtectedHeader } from "jose";
import { isCompactJws } from "./compact-jws.js";
import { maxTokenLength } from "./limits.js";

/**
 * The `iss` an unverified token claims, to find its provider; undefined unless the token is a
 * compact JWS (three base64url segments, nothing else) of at most {@link maxTokenLength} characters with a JSON header and a JSON object
 * payload whose `iss` is a string. Never throws. Nothing is trusted from this: verification
 * checks that `iss` is the provider's issuer exactly.
 */
export function claimedIssuer(token: string): string | undefined {
  if (typeof token !== "string" || token.length > maxTokenLength || !isCompactJws(token)) return undefined;
  try {
    decodeProtectedHeader(token);
    const { iss } = decodeJwt(token);
    return typeof iss === "string" ? iss : undefined;
  } catch {
    return undefined;
  }
}
