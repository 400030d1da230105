import type { OidcProviderRecord } from "./identity-store.js";

/**
 * The claims of a web identity token whose signature, issuer, audience and times were verified.
 * `claims` holds every claim as the token carried it (for trust-policy condition keys such as
 * `token.actions.githubusercontent.com:repository`); the token itself is never kept.
 */
export interface VerifiedWebIdentity {
  issuer: string;
  subject: string;
  /** The `aud` value that matched one of the provider's audiences. */
  audience: string;
  /** Seconds since the epoch. */
  expiresAt: number;
  issuedAt: number | undefined;
  claims: Readonly<Record<string, unknown>>;
}

/** Why a token was refused: STS's error code for it, and a message that never quotes the token. */
export type WebIdentityRefusal =
  /** Malformed, unsigned (`alg: none`), wrong algorithm, bad signature, unknown key, wrong issuer or audience, not yet valid. */
  | "InvalidIdentityToken"
  /** `exp` has passed (beyond the allowed clock skew). */
  | "ExpiredTokenException"
  /** The provider's keys could not be fetched (its JWKS URL or discovery document did not answer). */
  | "IDPCommunicationError";

export class WebIdentityTokenError extends Error {
  constructor(
    readonly refusal: WebIdentityRefusal,
    message: string,
  ) {
    super(message);
    this.name = "WebIdentityTokenError";
  }
}

/**
 * Verifies OIDC ID tokens (JWTs) for AssumeRoleWithWebIdentity, the domain's port; the engine is
 * `auth/web-identity/` (jose, JWKS fetched and cached per provider).
 */
export interface WebIdentityVerifier {
  /**
   * The `iss` an unverified token claims, to find its provider; undefined when the token is not a
   * JWT with a string `iss`. Nothing is trusted from this until {@link verify} says so.
   */
  claimedIssuer(token: string): string | undefined;
  /**
   * Verifies the signature with the provider's keys only (RS256 or ES256, never `none`, never a
   * key of another type), `iss` equal to the provider's issuer, `aud` one of its audiences, and
   * `exp`, `nbf`, `iat` within a bounded clock skew of `now`. Throws {@link WebIdentityTokenError}.
   */
  verify(token: string, provider: OidcProviderRecord, now: number): Promise<VerifiedWebIdentity>;
  /** Drops the cached keys of a provider (it was updated or removed). */
  forget(providerArn: string): void;
}
