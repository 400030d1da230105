/**
 * What the rotation scheduler needs of storage: the secrets whose next rotation is due (read from
 * the store on every tick, so due work survives restarts), and a lease per secret so that exactly
 * one node of several sharing a store runs a due rotation.
 */
export interface RotationSchedule {
  /** ARNs of secrets with rotation enabled whose NextRotationDate is at or before `now`, soonest first. */
  listDue(now: number, limit: number): Promise<string[]>;
  /**
   * Takes the lease on `arn` for `holder` until `now + ttlMs`, in one transaction: succeeds when no
   * lease exists, the existing one has expired, or `holder` already holds it. False: another holds it.
   */
  claim(arn: string, holder: string, now: number, ttlMs: number): Promise<boolean>;
  /** Gives the lease back (only if `holder` still holds it). */
  release(arn: string, holder: string): Promise<void>;
}
