import type { AccessTarget } from "../access/authorizer.js";
import { InvalidRequestException, ResourceNotFoundException } from "../errors.js";
import { parseSecretId } from "./arn.js";
import type { RequestScope, SecretDomainDeps } from "./deps.js";
import type { SecretRecord, SecretState } from "./records.js";

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

/**
 * Finds the secret and authorizes `secretsmanager:<action>` on it. A caller who may not act on a
 * missing secret gets AccessDeniedException, not ResourceNotFoundException, so names don't leak.
 */
export async function requireSecret(
  deps: SecretDomainDeps,
  scope: RequestScope,
  secretId: string,
  action: string,
  context: Record<string, string | undefined> = {},
): Promise<SecretState> {
  const state = await findSecret(deps, scope, secretId);
  await authorizeOn(deps, scope, action, state?.secret, secretId, context);
  if (!state) throw new ResourceNotFoundException(notFoundMessage);
  return state;
}

export async function authorizeOn(
  deps: SecretDomainDeps,
  scope: RequestScope,
  action: string,
  secret: SecretRecord | undefined,
  secretIdAsGiven: string,
  context: Record<string, string | undefined> = {},
): Promise<void> {
  if (!scope.caller || !deps.authorizer) return;
  const target: AccessTarget = secret
    ? { arn: secret.arn, name: secret.name, tags: secret.tags, resourcePolicy: secret.resourcePolicy }
    : { arn: arnForMissing(deps, scope, secretIdAsGiven) };
  await deps.authorizer.check(scope.caller, `secretsmanager:${action}`, target, {
    "secretsmanager:SecretId": secretIdAsGiven,
    ...context,
  });
}

/** The ARN a policy sees for a secret that does not exist: as given, or built from the name. */
function arnForMissing(deps: SecretDomainDeps, scope: RequestScope, secretId: string): string {
  const id = parseSecretId(secretId);
  return id.kind === "arn"
    ? id.arn
    : `arn:aws:secretsmanager:${scope.region}:${deps.accountId}:secret:${id.name}`;
}

/** Reading or changing a secret that is scheduled for deletion is refused, as in AWS. */
export function assertNotScheduledForDeletion(state: SecretState): void {
  if (state.secret.deletedAt !== undefined) {
    throw new InvalidRequestException(
      "You can't perform this operation on the secret because it was marked for deletion. Restore it with RestoreSecret first.",
    );
  }
}
