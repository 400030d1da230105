import { AccessKeyRegistry } from "../auth/access-keys.js";
import { createWebIdentityVerifier, parseJwksDocument } from "../auth/web-identity/index.js";
import type { Envelope } from "../crypto/envelope.js";
import { Authorizer } from "../domain/access/authorizer.js";
import { IdentityService } from "../domain/identity/identity-service.js";
import { administeringActions, type PolicyDocument } from "../domain/identity/lockout-guard.js";
import { OidcProviderService } from "../domain/identity/oidc-provider-service.js";
import { RoleService } from "../domain/identity/role-service.js";
import type { RotationCredentialVault } from "../domain/identity/rotation-credentials.js";
import { RoleSessionService } from "../domain/identity/sts/role-session-service.js";
import { assertKnownActions, parsePolicy } from "../domain/policy/index.js";
import type { IdentityStore } from "../domain/ports/identity-store.js";

/**
 * Access keys, the policy evaluator and the identity services (users, roles, OIDC providers) over
 * one store: the server's and `coffer admin recover`'s.
 */
export function createIdentityServices(deps: {
  store: IdentityStore;
  envelope: Envelope;
  accountId: string;
  now: () => number;
  /** Rotation credentials, held in memory only; authenticated and authorized before storage is asked. */
  rotationCredentials?: RotationCredentialVault | undefined;
}) {
  const { store, envelope, accountId, now, rotationCredentials } = deps;
  const accessKeys = new AccessKeyRegistry(store, envelope, now, rotationCredentials);
  const authorizer = new Authorizer({ identity: store, accountId, now, ephemeral: rotationCredentials });
  const validatePolicy = (document: string) => {
    // Only here, where a policy is put: stored policies load with parsePolicy alone.
    assertKnownActions(parsePolicy(document, { kind: "identity" }));
  };
  const principalChanged = (arn: string) => authorizer.forget(arn);
  const identity = new IdentityService({
    store,
    accessKeys,
    accountId,
    now,
    validatePolicy,
    principalChanged,
    canAdminister: (arn, policies) => canAdminister(authorizer, arn, policies),
  });
  const roles = new RoleService({
    store,
    envelope,
    accessKeys,
    accountId,
    now,
    validatePolicy,
    validateTrustPolicy: (document) => {
      parsePolicy(document, { kind: "resource", trust: true });
    },
    // A role's sessions act with its policies and tags: forgetting the role forgets their views too.
    principalChanged,
  });
  // One verifier per process: it caches each provider's keys (docs/workload-identity.md).
  const verifier = createWebIdentityVerifier();
  const providerListeners = new Set<(providerArn: string) => void>([(arn) => verifier.forget(arn)]);
  const oidcProviders = new OidcProviderService({
    store,
    envelope,
    accountId,
    now,
    validateJwks: (text) => {
      // Refuses what the verifier could not use (private keys, no usable key, too many keys).
      parseJwksDocument(text);
    },
    providerChanged: (arn) => {
      for (const listener of providerListeners) listener(arn);
    },
  });
  const sts = new RoleSessionService({ store, envelope, accessKeys, verifier, authorizer, accountId, now });
  return {
    accessKeys,
    authorizer,
    identity,
    roles,
    oidcProviders,
    sts,
    /**
     * Tells `listener` of every OIDC provider changed or removed on this node, so whatever caches
     * a provider's keys (the web identity verifier) drops them.
     */
    onProviderChanged: (listener: (providerArn: string) => void) => {
      providerListeners.add(listener);
    },
  };
}

/**
 * Able to mint access keys and attach policies (to itself, at least): the rest follows from those.
 * With `policies`, as if those were the principal's identity policies.
 */
export async function canAdminister(
  authorizer: Authorizer,
  principalArn: string,
  policies?: readonly PolicyDocument[],
): Promise<boolean> {
  for (const action of administeringActions) {
    const target = { arn: principalArn };
    const { result } =
      policies === undefined
        ? await authorizer.evaluate(principalArn, action, target)
        : await authorizer.evaluateWithPolicies(principalArn, policies, action, target);
    if (result.decision !== "allow") return false;
  }
  return true;
}
