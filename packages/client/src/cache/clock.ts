/**
 * Time as the cache sees it. Reading the clock costs ~60 ns on some machines (a `clock_gettime`
 * that is not a vDSO call), more than the rest of a cache hit; so a hit reads no clock while its
 * entry is in its "fast window": a timer marks the end of that window (see `fastWindowEnd`), and
 * only after that does each hit read the clock.
 */
export interface CacheClock {
  now(): number;
  /**
   * Runs `due` once, no earlier than about `ms` from now, without holding the process open;
   * returns a function that cancels it. Absent on a clock that cannot schedule: then every hit
   * reads `now()`.
   */
  readonly after?: ((ms: number, due: () => void) => () => void) | undefined;
}

/** setTimeout's longest delay; a longer one would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

export const systemClock = {
  now: Date.now,
  after(ms: number, due: () => void): () => void {
    const timer = setTimeout(due, Math.min(Math.max(ms, 1), MAX_TIMER_MS));
    timer.unref();
    return () => clearTimeout(timer);
  },
} satisfies CacheClock;

/** A clock that only reads time (the test knob `now`): every hit checks expiry itself. */
export function readOnlyClock(now: () => number): CacheClock {
  return { now };
}

/**
 * How far before expiry the fast window ends: a timer that fires up to this late still cannot
 * make a hit serve an expired entry (the hit after the window reads the clock).
 */
export const EXPIRY_GUARD_MS = 1_000;

/**
 * The end of an entry's fast window: its refresh-ahead time, and at least `EXPIRY_GUARD_MS`
 * (or half the TTL when that is shorter) before it expires. Within the window a hit needs no
 * clock: it neither refreshes nor expires.
 */
export function fastWindowEnd(fetchedAt: number, expiresAt: number, refreshAt: number): number {
  const guard = Math.min(EXPIRY_GUARD_MS, Math.floor((expiresAt - fetchedAt) / 2));
  return Math.min(refreshAt, expiresAt - guard);
}
