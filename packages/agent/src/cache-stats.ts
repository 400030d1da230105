import type { SecretsOptions } from "@coffer/client";
import type { CacheStats } from "./agent-stats.js";

type FetchEvent = Parameters<NonNullable<SecretsOptions["onFetch"]>>[0];

export interface CacheCounter {
  /** Pass as the client's `onFetch` option. */
  onFetch(event: FetchEvent): void;
  /** Pass as the agent's `cacheStats` option. */
  snapshot(): CacheStats;
}

/** Counts the client library's fetch events for `/health`: numbers only, never ids or values. */
export function countCacheEvents(): CacheCounter {
  const counts = { hits: 0, misses: 0, staleServed: 0, backendErrors: 0, backgroundRefreshes: 0 };
  return {
    onFetch(event) {
      if (event.background) counts.backgroundRefreshes += 1;
      else if (event.cache === "hit") counts.hits += 1;
      else if (event.cache === "miss") counts.misses += 1;
      else counts.staleServed += 1;
      if (event.error !== undefined) counts.backendErrors += 1;
    },
    snapshot: () => ({ ...counts }),
  };
}
