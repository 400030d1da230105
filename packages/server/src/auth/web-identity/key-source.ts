import { createLocalJWKSet, type LocalJWKSet } from "jose";
import { parseJwksDocument } from "./jwks-document.js";

/** A provider's keys, as jose resolves a token's key among them (by `alg`, `kid`, `kty`, `crv`, `use`, `key_ops`). */
export type KeySet = LocalJWKSet;

/** Where one provider's keys come from. Throws WebIdentityTokenError (IDPCommunicationError) when they cannot be had. */
export interface KeySource {
  /** The keys to verify with: cached, or fetched when there are none yet or they are old. */
  current(now: number): Promise<KeySet>;
  /**
   * Asked when no key fits a token (an unknown `kid`: the issuer may have rotated its keys): the
   * keys fetched again when a fetch is allowed now (rate limited), else the same set as before.
   */
  afterUnknownKey(now: number): Promise<KeySet>;
}

/** Keys from a JWKS document the operator stored: parsed once; rotated by updating the document. Throws InvalidJwksError. */
export function documentKeySource(jwks: string): KeySource {
  const keys = createLocalJWKSet({ keys: parseJwksDocument(jwks).keys });
  return { current: async () => keys, afterUnknownKey: async () => keys };
}
