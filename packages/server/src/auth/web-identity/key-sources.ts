import type { OidcProviderRecord } from "../../domain/ports/identity-store.js";
import { WebIdentityTokenError } from "../../domain/ports/web-identity.js";
import type { FetchBounds } from "./fetch-bounded.js";
import { InvalidJwksError } from "./jwks-document.js";
import { documentKeySource, type KeySource } from "./key-source.js";
import { RemoteKeySource } from "./remote-key-source.js";

/**
 * Each provider's key source, by provider ARN. A source is kept while the provider's issuer and key
 * settings stay the same: a stored document is parsed once, fetched keys are cached; a provider
 * whose settings changed gets a new source even before {@link forget} is called.
 */
export class KeySources {
  readonly #sources = new Map<string, { settings: string; source: KeySource }>();

  constructor(private readonly bounds: FetchBounds) {}

  /** Throws WebIdentityTokenError (IDPCommunicationError) when a stored document is not a usable JWKS. */
  for(provider: OidcProviderRecord): KeySource {
    const settings = JSON.stringify([provider.issuer, provider.keys]);
    const known = this.#sources.get(provider.arn);
    if (known !== undefined && known.settings === settings) return known.source;
    const source = this.#create(provider);
    this.#sources.set(provider.arn, { settings, source });
    return source;
  }

  forget(providerArn: string): void {
    this.#sources.delete(providerArn);
  }

  #create(provider: OidcProviderRecord): KeySource {
    const { keys } = provider;
    if (keys.source === "url")
      return new RemoteKeySource({ issuer: provider.issuer, url: keys.url }, this.bounds);
    try {
      return documentKeySource(keys.jwks);
    } catch (error) {
      if (!(error instanceof InvalidJwksError)) throw error;
      throw new WebIdentityTokenError(
        "IDPCommunicationError",
        `The JWKS stored for ${provider.issuer} is not usable: ${error.message}`,
      );
    }
  }
}
