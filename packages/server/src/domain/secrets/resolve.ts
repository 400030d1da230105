import { InvalidRequestException, ResourceNotFoundException } from "../errors.js";
import { parseSecretId } from "./arn.js";
import type { RequestScope, SecretDomainDeps } from "./deps.js";
import type { SecretState } from "./records.js";

export const notFoundMessage = "Secrets Manager can't find the specified secret.";

/** Finds a secret by name, full ARN or partial ARN, within the request's region and account. */
export async function findSecret(
  deps: SecretDomainDeps,
  scope: RequestScope,
  secretId: string,
): Promise<SecretState | undefined> {
  const id = parseSecretId(secretId);
  let state: SecretState | undefined;
  if (id.kind === "name") {
    state = await deps.store.findByName(scope.region, id.name);
  } else {
    if (id.region !== scope.region || id.accountId !== deps.accountId) return undefined;
    state = (await deps.store.findByArn(id.arn)) ?? (await deps.store.findByName(scope.region, id.resource));
  }
  // A secret whose recovery window has ended is gone, even before the purge sweep removes it.
  if (state?.secret.deletionDate !== undefined && state.secret.deletionDate <= deps.now()) return undefined;
  return state;
}

export async function requireSecret(
  deps: SecretDomainDeps,
  scope: RequestScope,
  secretId: string,
): Promise<SecretState> {
  const state = await findSecret(deps, scope, secretId);
  if (!state) throw new ResourceNotFoundException(notFoundMessage);
  return state;
}

/** Reading or changing a secret that is scheduled for deletion is refused, as in AWS. */
export function assertNotScheduledForDeletion(state: SecretState): void {
  if (state.secret.deletedAt !== undefined) {
    throw new InvalidRequestException(
      "You can't perform this operation on the secret because it was marked for deletion. Restore it with RestoreSecret first.",
    );
  }
}
