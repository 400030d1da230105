import { errors } from "jose";
import type { OidcProviderRecord } from "../../domain/ports/identity-store.js";
import { WebIdentityTokenError } from "../../domain/ports/web-identity.js";
import { acceptedAlgorithms } from "./limits.js";

export function invalidToken(message: string): WebIdentityTokenError {
  return new WebIdentityTokenError("InvalidIdentityToken", message);
}

/**
 * What jose's refusal means for the caller, in STS's terms. The message is written here, never
 * taken from jose and never given jose's error as a cause: the error carries the token's claims.
 * Errors that are not jose's (a bug) are returned as they are.
 */
export function refusalFor(error: unknown, provider: OidcProviderRecord): unknown {
  if (error instanceof WebIdentityTokenError) return error;
  if (error instanceof errors.JWTExpired) {
    return new WebIdentityTokenError("ExpiredTokenException", "The web identity token has expired.");
  }
  if (error instanceof errors.JWTClaimValidationFailed) return claimRefusal(error, provider);
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return invalidToken(
      `The web identity token is signed with an algorithm Coffer does not accept (only ${acceptedAlgorithms.join(" and ")}).`,
    );
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return invalidToken("The web identity token's signature does not verify with the provider's keys.");
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return invalidToken(
      "None of the provider's keys fits the web identity token (its key id and algorithm name no key the provider publishes).",
    );
  }
  if (error instanceof errors.JOSENotSupported) {
    return invalidToken("The web identity token uses a header or algorithm Coffer does not support.");
  }
  if (error instanceof errors.JOSEError) return malformed();
  return error;
}

export function malformed(): WebIdentityTokenError {
  return invalidToken("The web identity token is not a well-formed signed JWT (JWS compact serialization).");
}

function claimRefusal(
  error: errors.JWTClaimValidationFailed,
  provider: OidcProviderRecord,
): WebIdentityTokenError {
  const { claim, reason } = error;
  if (reason === "missing") return invalidToken(`The web identity token has no "${claim}" claim.`);
  if (claim === "iss" && reason === "check_failed") {
    return invalidToken(
      `The web identity token's issuer (iss) is not the provider's issuer, ${provider.issuer}.`,
    );
  }
  if (claim === "aud" && reason === "check_failed") {
    return invalidToken("Incorrect token audience: the token's aud names none of the provider's audiences.");
  }
  if (claim === "nbf" && reason === "check_failed") {
    return invalidToken("The web identity token is not valid yet (its nbf is in the future).");
  }
  return invalidToken(`The web identity token's "${claim}" claim is not valid.`);
}
