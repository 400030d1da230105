/**
 * The bounds of web identity token verification. Each is a decision (ADR 0011, decision 5);
 * changing one changes what Coffer accepts, so each says why it is what it is.
 */

/** The only signature algorithms accepted: what OIDC issuers sign ID tokens with (RS256 is OIDC's default; ES256 is Kubernetes' and others' choice). Never `none`, never HMAC, never an algorithm jose would pick from the key. */
export const acceptedAlgorithms: readonly string[] = Object.freeze(["RS256", "ES256"]);

/** Clock skew allowed on `exp`, `nbf` and `iat`, seconds: the issuer's clock and ours differ. */
export const clockSkewSeconds = 60;

/**
 * The longest a token may be valid, `exp - iat` (or `exp - now` without `iat`), seconds. 24 hours:
 * long enough for EKS service-account tokens (exactly 86,400 s) and every CI issuer (minutes to
 * hours); a token valid for longer is not a short-lived workload identity and is refused.
 */
export const maxTokenLifetimeSeconds = 24 * 60 * 60;

/** The longest token accepted, characters: STS's limit for `WebIdentityToken`. */
export const maxTokenLength = 20_000;

/** How long one HTTP request to an issuer (discovery document or JWKS) may take, ms. */
export const fetchTimeoutMs = 5_000;

/** The largest discovery document or JWKS read, bytes; a larger answer is refused unread. */
export const maxResponseBytes = 1024 * 1024;

/** Redirects followed per request; each target must be an acceptable URL itself. */
export const maxRedirects = 3;

/** How long fetched keys are used without asking again, when the answer has no `Cache-Control: max-age`, ms. */
export const defaultKeysTtlMs = 60 * 60 * 1000;

/**
 * `Cache-Control: max-age` is honoured within these bounds, ms. The floor keeps a `no-cache` issuer
 * from being asked on every request; the ceiling bounds how long a key the issuer withdrew still
 * verifies (updating the provider forgets its keys at once).
 */
export const minKeysTtlMs = 5 * 60 * 1000;
export const maxKeysTtlMs = 6 * 60 * 60 * 1000;

/**
 * The least time between two fetches of one provider's keys, ms, whatever asks (expiry, a token
 * naming an unknown key id, a failure): tokens with made-up key ids cannot make Coffer hammer an
 * issuer, nor wait on one that is down on every request.
 */
export const refetchCooldownMs = 30 * 1000;

/** While the issuer cannot be reached, keys fetched within this long ago are still used, ms. */
export const maxStaleKeysMs = 24 * 60 * 60 * 1000;

/** The most keys a JWKS may hold (real issuers publish a handful); bounds the work per token. */
export const maxJwksKeys = 100;
