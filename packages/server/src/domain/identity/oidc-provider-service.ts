import type { Envelope } from "../../crypto/envelope.js";
import {
  InvalidParameterException,
  ResourceExistsException,
  ResourceNotFoundException,
} from "../../errors/catalog.js";
import {
  type IdentityStore,
  OidcProviderExistsError,
  type OidcProviderRecord,
} from "../ports/identity-store.js";
import { mergeTags, type RequestedTag } from "../secrets/tags.js";
import { sealProvider } from "./identity-binding.js";
import { assertIssuerUrl, fetchableUrlProblem, oidcProviderArn } from "./oidc-names.js";

export interface OidcProviderServiceDeps {
  store: IdentityStore;
  /** Seals each provider (ADR 0006's metadata MAC): one edited in the database trusts no token. */
  envelope: Envelope;
  accountId: string;
  now: () => number;
  /** Throws an Error with a clear message unless `text` is a JWKS document with usable keys. */
  validateJwks: (text: string) => void;
  /** Told when a provider changes or goes, so cached keys and identity data are dropped. */
  providerChanged: (providerArn: string) => void;
}

/** Where a provider's signing keys come from, as the operator gives it. */
export type KeysSource =
  | { jwksDocument: string; jwksUrl?: undefined }
  | { jwksDocument?: undefined; jwksUrl?: string | undefined };

export interface AddOidcProviderRequest {
  issuer: string;
  audiences: readonly string[];
  keys: KeysSource;
  tags?: readonly RequestedTag[] | undefined;
}

const maxAudiences = 100;
const maxAudienceLength = 255;

/**
 * OpenID Connect identity providers (IAM's CreateOpenIDConnectProvider): the issuers whose tokens a
 * workload may exchange for a role session, the audiences they must be minted for, and where their
 * signing keys are.
 */
export class OidcProviderService {
  constructor(private readonly deps: OidcProviderServiceDeps) {}

  async addProvider(request: AddOidcProviderRequest): Promise<OidcProviderRecord> {
    assertIssuerUrl(request.issuer);
    const provider: OidcProviderRecord = sealProvider(this.deps.envelope, {
      arn: oidcProviderArn(this.deps.accountId, request.issuer),
      issuer: request.issuer,
      audiences: checkedAudiences(request.audiences),
      keys: this.checkedKeys(request.keys),
      tags: mergeTags([], request.tags ?? []),
      createdAt: this.deps.now(),
    });
    try {
      await this.deps.store.createOidcProvider(provider);
    } catch (error) {
      if (error instanceof OidcProviderExistsError) {
        throw new ResourceExistsException(
          `An OIDC provider for ${request.issuer} already exists (${provider.arn}).`,
        );
      }
      throw error;
    }
    this.deps.providerChanged(provider.arn);
    return provider;
  }

  async getProvider(arn: string): Promise<OidcProviderRecord> {
    const provider = await this.deps.store.getOidcProvider(arn);
    if (!provider) throw new ResourceNotFoundException(`OIDC provider ${arn} does not exist.`);
    return provider;
  }

  listProviders(): Promise<OidcProviderRecord[]> {
    return this.deps.store.listOidcProviders();
  }

  /** Replaces the audiences and/or the keys' source (a new JWKS document is how operators rotate stored keys). */
  async updateProvider(
    arn: string,
    changes: { audiences?: readonly string[] | undefined; keys?: KeysSource | undefined },
  ): Promise<OidcProviderRecord> {
    const provider = await this.getProvider(arn);
    const updated: OidcProviderRecord = { ...provider };
    if (changes.audiences !== undefined) updated.audiences = checkedAudiences(changes.audiences);
    if (changes.keys !== undefined) updated.keys = this.checkedKeys(changes.keys);
    const sealed = sealProvider(this.deps.envelope, updated);
    if (!(await this.deps.store.updateOidcProvider(sealed))) {
      throw new ResourceNotFoundException(`OIDC provider ${arn} does not exist.`);
    }
    this.deps.providerChanged(arn);
    return updated;
  }

  /** Sessions already issued through it run until they expire (as in IAM); no new ones are. */
  async removeProvider(arn: string): Promise<void> {
    if (!(await this.deps.store.deleteOidcProvider(arn))) {
      throw new ResourceNotFoundException(`OIDC provider ${arn} does not exist.`);
    }
    this.deps.providerChanged(arn);
  }

  private checkedKeys(keys: KeysSource): OidcProviderRecord["keys"] {
    if (keys.jwksDocument !== undefined) {
      try {
        this.deps.validateJwks(keys.jwksDocument);
      } catch (error) {
        throw new InvalidParameterException(
          `The JWKS document is not usable: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      return { source: "document", jwks: keys.jwksDocument };
    }
    if (keys.jwksUrl !== undefined) assertJwksUrl(keys.jwksUrl);
    return { source: "url", url: keys.jwksUrl };
  }
}

/** A JWKS URL is stored only if the verifier would fetch it (the same rule, fetchableUrlProblem). */
function assertJwksUrl(text: string): void {
  let problem: string | undefined;
  try {
    problem = text.length > 2048 ? "it has more than 2,048 characters" : fetchableUrlProblem(new URL(text));
  } catch {
    problem = "it is not a URL";
  }
  if (problem !== undefined) throw new InvalidParameterException(`The JWKS URL is refused: ${problem}.`);
}

function checkedAudiences(audiences: readonly string[]): string[] {
  if (audiences.length === 0) {
    throw new InvalidParameterException(
      "Give at least one audience (the `aud` tokens are minted for, e.g. sts.amazonaws.com or coffer).",
    );
  }
  if (audiences.length > maxAudiences) {
    throw new InvalidParameterException(`An OIDC provider may have at most ${maxAudiences} audiences.`);
  }
  for (const audience of audiences) {
    if (audience.length === 0 || audience.length > maxAudienceLength) {
      throw new InvalidParameterException(`Each audience must have 1 to ${maxAudienceLength} characters.`);
    }
  }
  return [...new Set(audiences)];
}
