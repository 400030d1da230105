import { createLocalJWKSet } from "jose";
import { WebIdentityTokenError } from "../../domain/ports/web-identity.js";
import { discoverJwksUri } from "./discovery.js";
import { type FetchBounds, fetchBounded } from "./fetch-bounded.js";
import { IssuerUnreachableError } from "./issuer-unreachable.js";
import { InvalidJwksError, parseJwksDocument } from "./jwks-document.js";
import type { KeySet, KeySource } from "./key-source.js";
import { keysTtlMs } from "./keys-ttl.js";
import { maxStaleKeysMs, refetchCooldownMs } from "./limits.js";
import { shownUrl } from "./shown-url.js";

/** Where an issuer publishes its keys: this JWKS URL, or the `jwks_uri` its discovery document names. */
export interface RemoteKeysLocation {
  issuer: string;
  url: string | undefined;
}

/**
 * One provider's keys fetched from the issuer, cached and shared by every verification: fresh for
 * the answer's `Cache-Control: max-age` (bounded), fetched again early when a token names a key not
 * among them, never twice within {@link refetchCooldownMs} whatever asks, and one fetch at a time
 * (concurrent verifications wait for the same one). When the issuer cannot be reached, the keys it
 * gave within {@link maxStaleKeysMs} keep verifying the tokens they fit.
 */
export class RemoteKeySource implements KeySource {
  #keys: { set: KeySet; fetchedAt: number; freshUntil: number } | undefined;
  #lastAttemptAt: number | undefined;
  #lastFailure: WebIdentityTokenError | undefined;
  #loading: Promise<KeySet> | undefined;

  constructor(
    private readonly location: RemoteKeysLocation,
    private readonly bounds: FetchBounds,
  ) {}

  async current(now: number): Promise<KeySet> {
    const keys = this.#keys;
    if (keys !== undefined && now < keys.freshUntil) return keys.set;
    try {
      return await this.#refresh(now);
    } catch (error) {
      // A failed refresh must not stop every workload at once: recent keys still verify.
      const stale = this.#keys;
      if (
        error instanceof WebIdentityTokenError &&
        stale !== undefined &&
        now - stale.fetchedAt < maxStaleKeysMs
      ) {
        return stale.set;
      }
      throw error;
    }
  }

  afterUnknownKey(now: number): Promise<KeySet> {
    return this.#refresh(now);
  }

  #refresh(now: number): Promise<KeySet> {
    if (this.#loading !== undefined) return this.#loading;
    if (this.#lastAttemptAt !== undefined && now - this.#lastAttemptAt < refetchCooldownMs) {
      if (this.#lastFailure !== undefined) return Promise.reject(this.#lastFailure);
      if (this.#keys !== undefined) return Promise.resolve(this.#keys.set);
    }
    this.#lastAttemptAt = now;
    const loading = this.#load(now).finally(() => {
      this.#loading = undefined;
    });
    this.#loading = loading;
    return loading;
  }

  async #load(now: number): Promise<KeySet> {
    try {
      const url = this.location.url ?? (await discoverJwksUri(this.location.issuer, this.bounds));
      const { text, cacheControl } = await fetchBounded(url, "JWKS", this.bounds);
      let keys: ReturnType<typeof parseJwksDocument>["keys"];
      try {
        keys = parseJwksDocument(text).keys;
      } catch (error) {
        if (!(error instanceof InvalidJwksError)) throw error;
        throw new IssuerUnreachableError(`The JWKS at ${shownUrl(url)} is not usable: ${error.message}`);
      }
      const set = createLocalJWKSet({ keys });
      this.#keys = { set, fetchedAt: now, freshUntil: now + keysTtlMs(cacheControl) };
      this.#lastFailure = undefined;
      return set;
    } catch (error) {
      if (!(error instanceof IssuerUnreachableError)) throw error;
      this.#lastFailure = new WebIdentityTokenError(
        "IDPCommunicationError",
        `Couldn't retrieve the verification keys of ${this.location.issuer}: ${error.message}`,
      );
      throw this.#lastFailure;
    }
  }
}
