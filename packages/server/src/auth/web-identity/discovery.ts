import { type FetchBounds, fetchBounded } from "./fetch-bounded.js";
import { IssuerUnreachableError } from "./issuer-unreachable.js";

/**
 * The issuer's `jwks_uri`, from its OpenID Connect discovery document
 * (`<issuer>/.well-known/openid-configuration`, OpenID Connect Discovery 1.0, section 4). The
 * document's `issuer` must be the issuer exactly (section 4.3): a document that speaks for another
 * issuer is not this issuer's.
 */
export async function discoverJwksUri(issuer: string, bounds: FetchBounds): Promise<string> {
  const url = `${issuer.endsWith("/") ? issuer.slice(0, -1) : issuer}/.well-known/openid-configuration`;
  const { text } = await fetchBounded(url, "OpenID Connect discovery document", bounds);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new IssuerUnreachableError(`The OpenID Connect discovery document at ${url} is not JSON.`);
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw new IssuerUnreachableError(`The OpenID Connect discovery document at ${url} is not a JSON object.`);
  }
  const { issuer: documentIssuer, jwks_uri: jwksUri } = document as Record<string, unknown>;
  if (documentIssuer !== issuer) {
    throw new IssuerUnreachableError(
      `The OpenID Connect discovery document at ${url} is for another issuer: its "issuer" is not ${issuer}.`,
    );
  }
  if (typeof jwksUri !== "string" || jwksUri === "") {
    throw new IssuerUnreachableError(`The OpenID Connect discovery document at ${url} has no "jwks_uri".`);
  }
  return jwksUri;
}
