import { AccessKeyRegistry } from "../auth/access-keys.js";
import type { Envelope } from "../crypto/envelope.js";
import { Authorizer } from "../domain/access/authorizer.js";
import { IdentityService } from "../domain/identity/identity-service.js";
import { administeringActions, type PolicyDocument } from "../domain/identity/lockout-guard.js";
import type { RotationCredentialVault } from "../domain/identity/rotation-credentials.js";
import { assertKnownActions, parsePolicy } from "../domain/policy/index.js";
import type { IdentityStore } from "../domain/ports/identity-store.js";

/** Access keys, the policy evaluator and the identity service over one store: the server's and `coffer admin recover`'s. */
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
  const identity = new IdentityService({
    store,
    accessKeys,
    accountId,
    now,
    validatePolicy: (document) => {
      // Only here, where a policy is put: stored policies load with parsePolicy alone.
      assertKnownActions(parsePolicy(document, { kind: "identity" }));
    },
    principalChanged: (arn) => authorizer.forget(arn),
    canAdminister: (arn, policies) => canAdminister(authorizer, arn, policies),
  });
  return { accessKeys, authorizer, identity };
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
