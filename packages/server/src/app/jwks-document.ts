/**
 * THE SPOT WHERE THE JWT VERIFIER PLUGS IN (issue 12): how a JWKS document an operator gives
 * (`coffer admin oidc-provider add --jwks-file`, CreateOpenIDConnectProvider's JwksDocument) is
 * checked before it is stored. Until `auth/web-identity/` lands, only its outline is checked; the
 * lead replaces the body with `parseJwksDocument(text)` from `../auth/web-identity/`, which also
 * refuses keys the verifier could not use.
 *
 * Throws an Error whose message says what is wrong (OidcProviderService wraps it in an
 * InvalidParameterException); never quotes the document.
 */
export function validateJwksDocument(text: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error("it is not JSON.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error('it must be a JSON object with a "keys" array (a JWKS document, RFC 7517).');
  }
  const keys = (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new Error('its "keys" must be a non-empty array of keys (a JWKS document, RFC 7517).');
  }
  if (!keys.every((key) => typeof key === "object" && key !== null && !Array.isArray(key))) {
    throw new Error('each of its "keys" must be a JSON object (a JWK, RFC 7517).');
  }
}
