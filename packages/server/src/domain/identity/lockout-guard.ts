import { InvalidRequestException } from "../../errors/catalog.js";
import type { AccessKeyRecord, IdentityStore } from "../ports/identity-store.js";

/** The caller of an admin operation, as SigV4 established it. */
export interface AdminCaller {
  accessKeyId: string;
  principal: string;
}

/** An identity policy as stored: what a principal's policies are after a change. */
export interface PolicyDocument {
  policyName: string;
  document: string;
}

/**
 * What a guarded change does: take away one access key, or a principal with all its keys, or give
 * a principal a new set of identity policies.
 */
export type GuardedEffect =
  | { accessKeyId: string }
  | { principalArn: string }
  | { principalArn: string; policiesAfter: readonly PolicyDocument[] };

export interface LockoutGuardDeps {
  store: Pick<IdentityStore, "listAccessKeys">;
  /**
   * Whether a principal's policies (its stored ones, or `policies` when given) let it administer
   * Coffer, from the policy evaluator, never from a user name: able to mint access keys and attach
   * policies, so it can get anything else back.
   */
  canAdminister: (principalArn: string, policies?: readonly PolicyDocument[]) => Promise<boolean>;
  now: () => number;
}

/** The actions that make a principal an administrator for the lockout guard. */
export const administeringActions = ["coffer:CreateAccessKey", "coffer:PutUserPolicy"] as const;

const forceHint = (command: string | undefined) =>
  command === undefined
    ? "Set Force to true to do it anyway."
    : `Set Force to true (\`${command} --force\` in the CLI) to do it anyway.`;

/**
 * Refuses (InvalidRequestException) a change that would lock the administrators out, unless forced:
 * taking away the key the request is signed with (or the caller's own user), or leaving no active,
 * long-term access key whose principal can administer Coffer where one existed. Session credentials
 * do not count: they expire on their own.
 */
export async function assertNoLockout(
  deps: LockoutGuardDeps,
  change: { effect: GuardedEffect; what: string; command?: string; caller: AdminCaller | undefined },
): Promise<void> {
  const { effect, what, caller } = change;
  const hint = forceHint(change.command);
  if (caller !== undefined && !("policiesAfter" in effect)) {
    if ("accessKeyId" in effect && effect.accessKeyId === caller.accessKeyId) {
      throw new InvalidRequestException(
        `Refusing to ${what}: this request is signed with that key, so the change would lock you out. ${hint}`,
      );
    }
    if ("principalArn" in effect && effect.principalArn === caller.principal) {
      throw new InvalidRequestException(
        `Refusing to ${what}: you are calling as that user, so the change would lock you out. ${hint}`,
      );
    }
  }
  const now = deps.now();
  const usable = (await deps.store.listAccessKeys()).filter((key) => isUsableLongTermKey(key, now));
  const before = memo((principal: string) => deps.canAdminister(principal));
  const after = memo((principal: string) =>
    "policiesAfter" in effect && principal === effect.principalArn
      ? deps.canAdminister(principal, effect.policiesAfter)
      : before(principal),
  );
  const keptAfter = usable.filter((key) => !removes(effect, key));
  if (await someAsync(keptAfter, (key) => after(key.principal))) return;
  if (!(await someAsync(usable, (key) => before(key.principal)))) return;
  throw new InvalidRequestException(
    `Refusing to ${what}: no active access key could then administer Coffer (${administeringActions.join(", ")}), and only \`coffer admin recover\`, run where the data folder is, would get admin access back. ${hint}`,
  );
}

function removes(effect: GuardedEffect, key: AccessKeyRecord): boolean {
  if ("policiesAfter" in effect) return false;
  return "accessKeyId" in effect
    ? key.accessKeyId === effect.accessKeyId
    : key.principal === effect.principalArn;
}

function isUsableLongTermKey(key: AccessKeyRecord, now: number): boolean {
  return (
    key.status === "active" &&
    key.sessionTokenHash === undefined &&
    (key.expiresAt === undefined || key.expiresAt > now)
  );
}

function memo(compute: (principal: string) => Promise<boolean>): (principal: string) => Promise<boolean> {
  const verdicts = new Map<string, Promise<boolean>>();
  return (principal) => {
    let verdict = verdicts.get(principal);
    if (verdict === undefined) {
      verdict = compute(principal);
      verdicts.set(principal, verdict);
    }
    return verdict;
  };
}

async function someAsync<T>(items: readonly T[], predicate: (item: T) => Promise<boolean>): Promise<boolean> {
  for (const item of items) if (await predicate(item)) return true;
  return false;
}
