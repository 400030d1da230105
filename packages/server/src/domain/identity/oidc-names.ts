import { InvalidParameterException } from "../../errors/catalog.js";

/**
 * Names derived from an OpenID Connect issuer: the provider's ARN (what trust policies name as
 * `Federated`) and the prefix of its condition keys (`<prefix>:sub`, `<prefix>:aud`, …), as IAM
 * derives them.
 *
 * An issuer is an `https://` URL with no query, fragment or user info (OpenID Connect Discovery
 * 1.0, section 3), at most 255 characters (IAM's limit for a provider URL). `http://` is accepted
 * only for a loopback host (`localhost`, `127.0.0.1`, `[::1]`): a development or test issuer on
 * the same machine, whose traffic never leaves it, so TLS would add nothing. The issuer is kept
 * exactly as written: tokens' `iss` must equal it character for character.
 */

export const maxIssuerLength = 255;

/** RFC 3986's characters, less `?`, `#` and `@` (no query, fragment or user info) and `\`. */
const issuerCharacters = /^[A-Za-z0-9\-._~:/!$&'()*+,;=%[\]]+$/;

const loopbackHosts: ReadonlySet<string> = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Whether a URL's `hostname` names this machine (the only hosts plain `http://` may reach). */
export function isLoopbackHost(hostname: string): boolean {
  return loopbackHosts.has(hostname.toLowerCase());
}

/** What is wrong with an issuer URL, for a message; undefined when it is acceptable. */
export function issuerUrlProblem(issuer: string): string | undefined {
  if (issuer.length === 0 || issuer.length > maxIssuerLength) {
    return `an issuer URL is 1 to ${maxIssuerLength} characters`;
  }
  const scheme = issuer.startsWith("https://") ? "https" : issuer.startsWith("http://") ? "http" : undefined;
  if (scheme === undefined) return "an issuer URL starts with https://";
  if (!issuerCharacters.test(issuer)) {
    return "an issuer URL has no query (?), fragment (#), user info (@), spaces or other characters outside RFC 3986";
  }
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return "the issuer is not a URL";
  }
  // `https:///x` parses (the URL standard skips the extra slash) but names no host where it is written.
  if (url.hostname === "" || withoutScheme(issuer).startsWith("/")) return "an issuer URL names a host";
  if (withoutScheme(issuer).includes("//")) return "an issuer URL has no empty path segment (//)";
  if (scheme === "http" && !isLoopbackHost(url.hostname)) {
    return "an issuer URL starts with https:// (http:// is accepted only for localhost, 127.0.0.1 and [::1])";
  }
  return undefined;
}

/** Throws InvalidParameterException when {@link issuerUrlProblem} finds something wrong. */
export function assertIssuerUrl(issuer: string): void {
  const problem = issuerUrlProblem(issuer);
  if (problem !== undefined) throw new InvalidParameterException(`Invalid OIDC issuer URL: ${problem}.`);
}

/**
 * `arn:aws:iam::<account>:oidc-provider/<issuer without its scheme>`. A trailing slash is kept, as
 * IAM keeps it: `https://tenant.auth0.com/` and `https://tenant.auth0.com` are different issuers.
 * Throws InvalidParameterException for an invalid issuer; for a token's unverified `iss`, check
 * {@link issuerUrlProblem} first.
 */
export function oidcProviderArn(accountId: string, issuer: string): string {
  assertIssuerUrl(issuer);
  return `arn:aws:iam::${accountId}:oidc-provider/${withoutScheme(issuer)}`;
}

/**
 * The prefix of the provider's trust-policy condition keys: the issuer without its scheme and
 * without a trailing slash (`token.actions.githubusercontent.com`, so
 * `token.actions.githubusercontent.com:sub`). Throws InvalidParameterException for an invalid issuer.
 */
export function oidcConditionKeyPrefix(issuer: string): string {
  assertIssuerUrl(issuer);
  const name = withoutScheme(issuer);
  return name.endsWith("/") ? name.slice(0, -1) : name;
}

function withoutScheme(issuer: string): string {
  return issuer.slice(issuer.indexOf("://") + 3);
}

/**
 * Whether Coffer may fetch an issuer's discovery document or keys from this URL, and if not, why.
 * `https://` only, as for issuers; `http://` only to a loopback host (a development issuer on the
 * same machine: its traffic never leaves it). No user info: credentials have no place in a JWKS URL.
 * Applied to configured URLs, to a discovery document's `jwks_uri` and to every redirect target.
 */
export function fetchableUrlProblem(url: URL): string | undefined {
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    return "only https:// URLs are fetched (http:// only for localhost, 127.0.0.1 and [::1])";
  }
  if (url.username !== "" || url.password !== "") return "a URL with user info is not fetched";
  return undefined;
}
