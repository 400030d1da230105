import type { OidcProviderRecord } from "../../domain/ports/identity-store.js";
import type { VerifiedWebIdentity, WebIdentityVerifier } from "../../domain/ports/web-identity.js";
import { claimedIssuer } from "./claimed-issuer.js";
import { KeySources } from "./key-sources.js";
import { fetchTimeoutMs, maxResponseBytes } from "./limits.js";
import { verifyToken } from "./verify-token.js";

export { InvalidJwksError, type ParsedJwks, parseJwksDocument } from "./jwks-document.js";
export * as webIdentityLimits from "./limits.js";

export interface WebIdentityVerifierOptions {
  /** One HTTP request to an issuer may take this long, ms; default {@link fetchTimeoutMs} (5 s). */
  fetchTimeoutMs?: number | undefined;
  /** The largest discovery document or JWKS read, bytes; default {@link maxResponseBytes} (1 MiB). */
  maxResponseBytes?: number | undefined;
}

/**
 * The web identity verifier (the domain's `WebIdentityVerifier` port) with jose: keys from each
 * provider's stored JWKS, or fetched from its JWKS URL or discovery document and cached per
 * provider ARN. One per server process; `forget` when a provider is updated or removed.
 *
 * @example
 * const verifier = createWebIdentityVerifier();
 * const issuer = verifier.claimedIssuer(token); // find the provider by it, then:
 * const who = await verifier.verify(token, provider, Date.now());
 */
export function createWebIdentityVerifier(options: WebIdentityVerifierOptions = {}): WebIdentityVerifier {
  const sources = new KeySources({
    timeoutMs: options.fetchTimeoutMs ?? fetchTimeoutMs,
    maxBytes: options.maxResponseBytes ?? maxResponseBytes,
  });
  return {
    claimedIssuer,
    async verify(token: string, provider: OidcProviderRecord, now: number): Promise<VerifiedWebIdentity> {
      return verifyToken(token, provider, sources.for(provider), now);
    },
    forget(providerArn: string): void {
      sources.forget(providerArn);
    },
  };
}
