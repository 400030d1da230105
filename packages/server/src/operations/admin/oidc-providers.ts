import type { KeysSource, OidcProviderService } from "../../domain/identity/oidc-provider-service.js";
import type { OidcProviderRecord } from "../../domain/ports/identity-store.js";
import type { RequestedTag } from "../../domain/secrets/tags.js";
import { InvalidParameterException, NotImplementedYetException } from "../../errors/catalog.js";
import type { Operation, OperationServices } from "../operation.js";
import { epochSeconds } from "../wire.js";
import { typedOperation } from "../wire-types.js";

function providersOf(services: OperationServices): OidcProviderService {
  if (!services.oidcProviders) {
    throw new NotImplementedYetException(
      "OpenID Connect providers are not available on this Coffer server; no change was made.",
    );
  }
  return services.oidcProviders;
}

/**
 * IAM's GetOpenIDConnectProvider answer (Url, ClientIDList, CreateDate, Tags) plus Coffer's: the
 * provider's ARN and where its keys come from (`KeySource` JwksDocument, JwksUri or Discovery, and
 * the document itself unless `withDocument` is false: a JWKS document can be long).
 */
export function providerToWire(provider: OidcProviderRecord, options: { withDocument: boolean }) {
  const keys = provider.keys;
  return {
    OpenIDConnectProviderArn: provider.arn,
    Url: provider.issuer,
    ClientIDList: provider.audiences,
    CreateDate: epochSeconds(provider.createdAt),
    Tags: provider.tags,
    ...(keys.source === "document"
      ? { KeySource: "JwksDocument", ...(options.withDocument ? { JwksDocument: keys.jwks } : {}) }
      : keys.url !== undefined
        ? { KeySource: "JwksUri", JwksUri: keys.url }
        : { KeySource: "Discovery" }),
  };
}

/** At most one way to get the keys; none given is `undefined` (Create: discovery; Update: unchanged). */
function keysSourceOf(input: {
  JwksDocument?: string;
  JwksUri?: string;
  UseDiscovery?: boolean;
}): KeysSource | undefined {
  const given = [input.JwksDocument, input.JwksUri, input.UseDiscovery === true ? true : undefined].filter(
    (value) => value !== undefined,
  );
  if (given.length > 1) {
    throw new InvalidParameterException(
      "Give one source for the provider's keys: JwksDocument, JwksUri or UseDiscovery, not several.",
    );
  }
  if (input.JwksDocument !== undefined) return { jwksDocument: input.JwksDocument };
  if (input.JwksUri !== undefined) return { jwksUrl: input.JwksUri };
  if (input.UseDiscovery === true) return {};
  return undefined;
}

export const createOpenIdConnectProvider = typedOperation<{
  Url: string;
  ClientIDList?: string[];
  JwksDocument?: string;
  JwksUri?: string;
  Tags?: RequestedTag[];
}>(async (input, _context, services) => {
  const provider = await providersOf(services).addProvider({
    issuer: input.Url,
    audiences: input.ClientIDList ?? [],
    keys: keysSourceOf(input) ?? {},
    tags: input.Tags,
  });
  return { OpenIDConnectProviderArn: provider.arn, Tags: provider.tags };
});

export const getOpenIdConnectProvider = typedOperation<{ OpenIDConnectProviderArn: string }>(
  async (input, _context, services) =>
    providerToWire(await providersOf(services).getProvider(input.OpenIDConnectProviderArn), {
      withDocument: true,
    }),
);

/** IAM answers only ARNs; Coffer adds each provider's issuer, audiences and key source (for `coffer admin oidc-provider list`). */
export const listOpenIdConnectProviders: Operation = async (_raw, _context, services) => ({
  OpenIDConnectProviderList: (await providersOf(services).listProviders()).map((provider) => {
    const { OpenIDConnectProviderArn, ...rest } = providerToWire(provider, { withDocument: false });
    return { Arn: OpenIDConnectProviderArn, ...rest };
  }),
});

/** Coffer's: IAM splits this into Add/RemoveClientIDToOpenIDConnectProvider and UpdateOpenIDConnectProviderThumbprint. */
export const updateOpenIdConnectProvider = typedOperation<{
  OpenIDConnectProviderArn: string;
  ClientIDList?: string[];
  JwksDocument?: string;
  JwksUri?: string;
  UseDiscovery?: boolean;
}>(async (input, _context, services) => {
  const keys = keysSourceOf(input);
  if (input.ClientIDList === undefined && keys === undefined) {
    throw new InvalidParameterException(
      "Nothing to change: give ClientIDList, or a new source for the keys (JwksDocument, JwksUri or UseDiscovery).",
    );
  }
  await providersOf(services).updateProvider(input.OpenIDConnectProviderArn, {
    audiences: input.ClientIDList,
    keys,
  });
  return {};
});

export const deleteOpenIdConnectProvider = typedOperation<{ OpenIDConnectProviderArn: string }>(
  async (input, _context, services) => {
    await providersOf(services).removeProvider(input.OpenIDConnectProviderArn);
    return {};
  },
);
