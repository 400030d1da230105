import type { AccessKeyRecord, IdentityStore } from "../../storage/identity-port.js";
import { InvalidRequestException } from "../errors.js";

/** The caller of an admin operation, as SigV4 established it. */
export interface AdminCaller {
  accessKeyId: string;
  principal: string;
}

/** What a guarded change takes away: one access key, or a principal with all its keys. */
export type Removal = { accessKeyId: string } | { principalArn: string };

export interface LockoutGuardDeps {
  store: Pick<IdentityStore, "listAccessKeys">;
  /**
   * Whether a principal's policies let it administer Coffer (from the policy evaluator, never from
   * a user name): able to mint access keys and attach policies, so it can get anything else back.
   */
  canAdminister: (principalArn: string) => Promise<boolean>;
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
 * taking away the key the request is signed with (or the caller's own user), or the last active,
 * long-term access key whose principal can administer Coffer. Session credentials do not count: they
 * expire on their own.
 */
export async function assertNoLockout(
  deps: LockoutGuardDeps,
  change: { removal: Removal; what: string; command?: string; caller: AdminCaller | undefined },
): Promise<void> {
  const { removal, what, caller } = change;
  const hint = forceHint(change.command);
  if (caller !== undefined) {
    if ("accessKeyId" in removal && removal.accessKeyId === caller.accessKeyId) {
      throw new InvalidRequestException(
        `Refusing to ${what}: this request is signed with that key, so the change would lock you out. ${hint}`,
      );
    }
    if ("principalArn" in removal && removal.principalArn === caller.principal) {
      throw new InvalidRequestException(
        `Refusing to ${what}: you are calling as that user, so the change would lock you out. ${hint}`,
      );
    }
  }
  const now = deps.now();
  const usable = (await deps.store.listAccessKeys()).filter((key) => isUsableLongTermKey(key, now));
  const removed = usable.filter((key) => removes(removal, key));
  const remaining = usable.filter((key) => !removes(removal, key));
  const verdicts = new Map<string, Promise<boolean>>();
  const administers = (principal: string) => {
    let verdict = verdicts.get(principal);
    if (verdict === undefined) {
      verdict = deps.canAdminister(principal);
      verdicts.set(principal, verdict);
    }
    return verdict;
  };
  if (!(await someAsync(removed, (key) => administers(key.principal)))) return;
  if (await someAsync(remaining, (key) => administers(key.principal))) return;
  throw new InvalidRequestException(
    `Refusing to ${what}: no other active access key could then administer Coffer (${administeringActions.join(", ")}), and only \`coffer admin recover\`, run where the data folder is, would get admin access back. ${hint}`,
  );
}

function removes(removal: Removal, key: AccessKeyRecord): boolean {
  return "accessKeyId" in removal
    ? key.accessKeyId === removal.accessKeyId
    : key.principal === removal.principalArn;
}

function isUsableLongTermKey(key: AccessKeyRecord, now: number): boolean {
  return (
    key.status === "active" &&
    key.sessionTokenHash === undefined &&
    (key.expiresAt === undefined || key.expiresAt > now)
  );
}

async function someAsync<T>(items: readonly T[], predicate: (item: T) => Promise<boolean>): Promise<boolean> {
  for (const item of items) if (await predicate(item)) return true;
  return false;
}
