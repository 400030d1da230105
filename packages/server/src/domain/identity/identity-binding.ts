import type { Envelope, MetadataSeal } from "../../crypto/envelope.js";
import type { IdentityStore, OidcProviderRecord, RoleSettings } from "../ports/identity-store.js";

/**
 * ADR 0006's metadata seal, for what lets a workload in without a key (ADR 0011): an OIDC
 * provider (its issuer, audiences and keys) and a role's trust (its trust policy and session
 * limit). Someone who can write the database but does not hold the master key cannot add an
 * issuer of their own, swap a provider's keys, or open a role's trust policy: an unsealed or
 * mis-sealed provider or role lets nobody in. (Tags, descriptions and permission policies are not
 * covered: like users' policies, they decide what a caller may do, not who gets in.)
 */

const PROVIDER_LABEL = "coffer/oidc-provider-binding/v1";
const ROLE_LABEL = "coffer/role-trust-binding/v1";

function providerMessage(provider: OidcProviderRecord): Buffer {
  const keys =
    provider.keys.source === "document"
      ? ["document", provider.keys.jwks]
      : ["url", provider.keys.url ?? null];
  return Buffer.from(
    JSON.stringify([PROVIDER_LABEL, provider.arn, provider.issuer, [...provider.audiences], keys]),
    "utf8",
  );
}

function roleMessage(roleArn: string, settings: RoleSettings): Buffer {
  return Buffer.from(
    JSON.stringify([ROLE_LABEL, roleArn, settings.trustPolicy, settings.maxSessionDurationSeconds]),
    "utf8",
  );
}

export function sealProvider(envelope: Envelope, provider: OidcProviderRecord): OidcProviderRecord {
  return { ...provider, seal: envelope.authenticate(providerMessage(provider)) };
}

export function sealRoleSettings(envelope: Envelope, roleArn: string, settings: RoleSettings): RoleSettings {
  return { ...settings, seal: envelope.authenticate(roleMessage(roleArn, settings)) };
}

/** Whether the provider is as Coffer wrote it (sealed under a key of the keyring). */
export function providerIsIntact(envelope: Envelope, provider: OidcProviderRecord): boolean {
  return verifies(envelope, providerMessage(provider), provider.seal);
}

/** Whether the role's trust is as Coffer wrote it. */
export function roleTrustIsIntact(envelope: Envelope, roleArn: string, settings: RoleSettings): boolean {
  return verifies(envelope, roleMessage(roleArn, settings), settings.seal);
}

function verifies(envelope: Envelope, message: Buffer, seal: MetadataSeal | undefined): boolean {
  if (seal === undefined) return false;
  try {
    envelope.verify(message, seal);
    return true;
  } catch {
    return false;
  }
}

/**
 * `coffer keys rotate`: moves every provider's and role's seal to the active key, each verified
 * first. One that fails its check keeps its seal (and so its old key id, which is returned so that
 * key is not retired) and keeps letting nobody in.
 */
export async function resealIdentityUnderActiveKey(
  store: IdentityStore,
  envelope: Envelope,
  activeKekId: string,
): Promise<{ resealed: number; unverifiable: number; keptKekIds: string[] }> {
  let resealed = 0;
  let unverifiable = 0;
  const kept = new Set<string>();
  for (const provider of await store.listOidcProviders()) {
    if (provider.seal === undefined || provider.seal.kekId === activeKekId) continue;
    if (!providerIsIntact(envelope, provider)) {
      unverifiable++;
      kept.add(provider.seal.kekId);
      continue;
    }
    if (await store.updateOidcProvider(sealProvider(envelope, provider))) resealed++;
  }
  for (const role of await store.listPrincipals("role")) {
    const settings = role.role;
    if (settings?.seal === undefined || settings.seal.kekId === activeKekId) continue;
    if (!roleTrustIsIntact(envelope, role.arn, settings)) {
      unverifiable++;
      kept.add(settings.seal.kekId);
      continue;
    }
    if (await store.updateRoleSettings(role.arn, sealRoleSettings(envelope, role.arn, settings))) resealed++;
  }
  return { resealed, unverifiable, keptKekIds: [...kept] };
}
