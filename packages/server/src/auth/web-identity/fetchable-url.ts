import { isLoopbackHost } from "../../domain/identity/oidc-names.js";

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
