import { CofferClientError } from "../errors.js";
import type { CacheOptions } from "../types.js";

export interface ResolvedCacheOptions {
  /** False for `cache: false`: nothing is kept, but concurrent requests are still coalesced. */
  enabled: boolean;
  ttlMs: number;
  maxEntries: number;
  refreshAheadMs: number;
  maxStaleMs: number;
  /** After a failed refresh, how long the stale value is served without asking the backend again. */
  retryAfterMs: number;
}

export const DEFAULT_TTL_MS = 5 * 60_000;
export const DEFAULT_MAX_ENTRIES = 1_000;
export const DEFAULT_REFRESH_AHEAD_MS = 60_000;
export const DEFAULT_MAX_STALE_MS = 15 * 60_000;
const RETRY_AFTER_MS = 1_000;

export function resolveCacheOptions(options: CacheOptions | false | undefined): ResolvedCacheOptions {
  if (options === false) {
    return { enabled: false, ttlMs: 0, maxEntries: 0, refreshAheadMs: 0, maxStaleMs: 0, retryAfterMs: 0 };
  }
  const ttlMs = nonNegative("ttlMs", options?.ttlMs, DEFAULT_TTL_MS);
  const maxEntries = nonNegative("maxEntries", options?.maxEntries, DEFAULT_MAX_ENTRIES);
  const maxStaleMs = nonNegative("maxStaleMs", options?.maxStaleMs, DEFAULT_MAX_STALE_MS);
  let refreshAheadMs = nonNegative("refreshAheadMs", options?.refreshAheadMs, DEFAULT_REFRESH_AHEAD_MS);
  // Refreshing on every hit would defeat the cache: keep at least half of the TTL refresh-free.
  if (refreshAheadMs > ttlMs / 2) refreshAheadMs = Math.floor(ttlMs / 2);
  return {
    enabled: maxEntries > 0,
    ttlMs,
    maxEntries,
    refreshAheadMs,
    maxStaleMs,
    retryAfterMs: Math.min(RETRY_AFTER_MS, Math.max(ttlMs, 1)),
  };
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new CofferClientError(
      `cache.${name} must be a non-negative number of ${name === "maxEntries" ? "entries" : "milliseconds"}.`,
    );
  }
  return value;
}
