import { InvalidRequestException, ResourceNotFoundException } from "../../errors/catalog.js";
import type { AccessTarget } from "../access/authorizer.js";
import type { RequestContextValues } from "../policy/index.js";
import { parseSecretId } from "./arn.js";
import type { RequestScope, SecretDomainDeps } from "./deps.js";
import { assertValidSecretIdName } from "./names.js";
import type { SecretRecord, SecretState } from "./records.js";

export const notFoundMessage = "Secrets Manager can't find the specified secret.";

interface Lookup<T> {
  byName(region: string, name: string): Promise<T | undefined>;
  byArn(arn: string): Promise<T | undefined>;
  recordOf(found: T): SecretRecord;
}

/** Finds a secret by name, full ARN or partial ARN, within the request's region and account. */
async function locate<T>(
  deps: SecretDomainDeps,
  scope: RequestScope,
  secretId: string,
  lookup: Lookup<T>,
): Promise<T | undefined> {
  const id = parseSecretId(secretId);
  let found: T | undefined;
  if (id.kind === "name") {
    assertValidSecretIdName(id.name);
    found = await lookup.byName(scope.region, id.name);
  } else {
    if (id.region !== scope.region || id.accountId !== deps.accountId) return undefined;
    found = (await lookup.byArn(id.arn)) ?? (await lookup.byName(scope.region, id.resource));
  }
  // A secret whose recovery window has ended is gone, even before the purge sweep removes it.
  const deletionDate = found === undefined ? undefined : lookup.recordOf(found).deletionDate;
  if (deletionDate !== undefined && deletionDate <= deps.now()) return undefined;
  return found;
}

/** The secret with the metadata of all its versions: what a change needs. */
export function findSecret(deps: SecretDomainDeps, scope: RequestScope, secretId: string) {
  return locate(deps, scope, secretId, {
    byName: (region, name) => deps.store.findByName(region, name),
    byArn: (arn) => deps.store.findByArn(arn),
    recordOf: (state: SecretState) => state.secret,
  });
}

/** The secret alone: what reading one value needs (one row, not every version). */
export function findSecretRecord(deps: SecretDomainDeps, scope: RequestScope, secretId: string) {
  return locate(deps, scope, secretId, {
    byName: (region, name) => deps.store.findRecordByName(region, name),
    byArn: (arn) => deps.store.findRecordByArn(arn),
    recordOf: (record: SecretRecord) => record,
  });
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
  context: RequestContextValues = {},
): Promise<SecretState> {
  const state = await findSecret(deps, scope, secretId);
  await authorizeOn(deps, scope, action, state?.secret, secretId, context);
  if (!state) throw new ResourceNotFoundException(notFoundMessage);
  return state;
}

/** {@link requireSecret} for reads of one value: the secret's row only. */
export async function requireSecretRecord(
  deps: SecretDomainDeps,
  scope: RequestScope,
  secretId: string,
  action: string,
  context: RequestContextValues = {},
): Promise<SecretRecord> {
  const secret = await findSecretRecord(deps, scope, secretId);
  await authorizeOn(deps, scope, action, secret, secretId, context);
  if (!secret) throw new ResourceNotFoundException(notFoundMessage);
  return secret;
}

export async function authorizeOn(
  deps: SecretDomainDeps,
  scope: RequestScope,
  action: string,
  secret: SecretRecord | undefined,
  secretIdAsGiven: string,
  context: RequestContextValues = {},
): Promise<void> {
  if (!scope.caller || !deps.authorizer) return;
  const found: AccessTarget | undefined = secret
    ? { arn: secret.arn, name: secret.name, tags: secret.tags, resourcePolicy: secret.resourcePolicy }
    : undefined;
  // A denial must read the same whether the secret exists or not (names don't leak).
  await deps.authorizer.checkSecret(
    scope.caller,
    `secretsmanager:${action}`,
    found,
    { secretId: secretIdAsGiven, arnIfMissing: () => arnForMissing(deps, scope, secretIdAsGiven) },
    { "secretsmanager:SecretId": secretIdAsGiven, ...context },
  );
}

/** The ARN a policy sees for a secret that does not exist: as given, or built from the name. */
function arnForMissing(deps: SecretDomainDeps, scope: RequestScope, secretId: string): string {
  const id = parseSecretId(secretId);
  return id.kind === "arn"
    ? id.arn
    : `arn:aws:secretsmanager:${scope.region}:${deps.accountId}:secret:${id.name}`;
}

/** Reading or changing a secret that is scheduled for deletion is refused, as in AWS. */
export function assertNotScheduledForDeletion(state: SecretState | SecretRecord): void {
  const secret = "secret" in state ? state.secret : state;
  if (secret.deletedAt !== undefined) {
    throw new InvalidRequestException(
      "You can't perform this operation on the secret because it was marked for deletion.",
    );
  }
}
