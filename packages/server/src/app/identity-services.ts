import { AccessKeyRegistry } from "../auth/access-keys.js";
import type { Envelope } from "../crypto/envelope.js";
import { Authorizer } from "../domain/access/authorizer.js";
import { IdentityService } from "../domain/identity/identity-service.js";
import { administeringActions } from "../domain/identity/lockout-guard.js";
import { parsePolicy } from "../domain/policy/index.js";
import type { IdentityStore } from "../storage/identity-port.js";

/** Access keys, the policy evaluator and the identity service over one store: the server's and `coffer admin recover`'s. */
export function createIdentityServices(deps: {
  store: IdentityStore;
  envelope: Envelope;
  accountId: string;
  now: () => number;
}) {
  const { store, envelope, accountId, now } = deps;
  const accessKeys = new AccessKeyRegistry(store, envelope, now);
  const authorizer = new Authorizer({ identity: store, accountId, now });
  const identity = new IdentityService({
    store,
    accessKeys,
    accountId,
    now,
    validatePolicy: (document) => {
      parsePolicy(document, { kind: "identity" });
    },
    principalChanged: (arn) => authorizer.forget(arn),
    canAdminister: (arn) => canAdminister(authorizer, arn),
  });
  return { accessKeys, authorizer, identity };
}

/** Able to mint access keys and attach policies (to itself, at least): the rest follows from those. */
export async function canAdminister(authorizer: Authorizer, principalArn: string): Promise<boolean> {
  for (const action of administeringActions) {
    const { result } = await authorizer.evaluate(principalArn, action, { arn: principalArn });
    if (result.decision !== "allow") return false;
  }
  return true;
}
