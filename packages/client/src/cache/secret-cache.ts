import { BackendUnavailableError, CofferClientError, SecretNotFoundError } from "../errors.js";
import type { Hooks } from "../hooks.js";
import type { Target } from "../reference.js";
import type { SecretRecord } from "../types.js";
import { type CacheClock, fastWindowEnd, readOnlyClock, systemClock } from "./clock.js";
import type { ResolvedCacheOptions } from "./options.js";

/** What the cache keeps per secret version: the record and what is derived from it, once. */
export interface CacheEntry {
  readonly target: Target;
  /** Frozen; shared with callers of getRecord. */
  readonly record: SecretRecord;
  readonly fetchedAt: number;
  /** Served without asking the backend until then. */
  expiresAt: number;
  /** A hit from then on refreshes in the background. */
  refreshAt: number;
  /** While the backend is unreachable, served until then. */
  staleUntil: number;
  /** After a failed refresh, the backend is not asked again before then. */
  retryAt: number;
  /** The parsed, frozen JSON (see `jsonState`). */
  json: unknown;
  jsonState: "unparsed" | "parsed" | "invalid";
  jsonError: Error | undefined;
  /** Validated (and frozen) output per schema, as a settled promise, for getJson({ schema }) hits. */
  validated: WeakMap<object, Promise<unknown>> | undefined;
  /** The answers of hits, built once per entry so a hit allocates nothing: getJson, get, getJson/get of one field. */
  jsonAnswer: Promise<unknown> | undefined;
  textAnswer: Promise<string> | undefined;
  recordAnswer: Promise<SecretRecord> | undefined;
  fieldAnswers: Map<string, { json: Promise<unknown>; text: Promise<string> | undefined }> | undefined;
  /**
   * True in the entry's fast window (stored, before its refresh-ahead time and well before expiry):
   * a hit returns it without reading the clock. A timer ends the window (see clock.ts).
   */
  fast: boolean;
  /** Hit since the eviction sweep last passed it (second-chance LRU). */
  recent: boolean;
  /** Cancels the timer that ends the fast window. */
  cancelFast: (() => void) | undefined;
}

/** A record found in the encrypted file cache: the last good value, and when it was fetched. */
export interface RememberedRecord {
  record: SecretRecord;
  fetchedAt: number;
}

/** The file cache as the memory cache uses it (see file-cache.ts). */
export interface LastKnownGood {
  /** A record younger than the file cache's maxAgeMs, with the time until which it may be served. */
  lookup(key: string, now: number): Promise<(RememberedRecord & { usableUntil: number }) | undefined>;
  remember(key: string, record: SecretRecord, fetchedAt: number): void;
  /** The secret is gone: stop keeping it. */
  forget(key: string): void;
}

interface Flight {
  readonly target: Target;
  readonly promise: Promise<CacheEntry>;
}

export type Loader = (target: Target) => Promise<SecretRecord>;
export type BatchLoader = (targets: readonly Target[]) => Promise<Map<string, SecretRecord | Error>>;

export interface SecretCacheDeps {
  hooks: Hooks;
  /** Rejects with SecretNotFoundError when no source has the secret. */
  load: Loader;
  /** Current versions of many targets at once, keyed by target key; never rejects. */
  loadMany: BatchLoader;
  lastKnownGood?: LastKnownGood | undefined;
  /** Time and timers (default: Date.now and unref'd setTimeout). */
  clock?: CacheClock | undefined;
  /** A clock that only reads time (tests): every hit then reads it. Ignored when `clock` is set. */
  now?: (() => number) | undefined;
}

/**
 * The in-memory cache: TTL, refresh ahead of expiry, bounded stale serving while the backend is
 * unreachable, one backend call for concurrent requests of one secret, LRU bound.
 *
 * `hit()` is the hot path: within an entry's fast window one Map lookup and two field accesses, no
 * clock read, no allocation (an event object only when `onFetch` is set), no I/O. Outside it, a
 * clock read decides freshness and refresh-ahead. Recency is a flag (second-chance LRU: the
 * eviction sweep gives a hit entry one more round), not a Map re-insertion per hit. Everything
 * else returns promises.
 */
export class SecretCache {
  readonly #options: ResolvedCacheOptions;
  readonly #deps: SecretCacheDeps;
  readonly #clock: CacheClock;
  readonly #entries = new Map<string, CacheEntry>();
  readonly #flights = new Map<string, Flight>();

  constructor(options: ResolvedCacheOptions, deps: SecretCacheDeps) {
    this.#options = options;
    this.#deps = deps;
    this.#clock = deps.clock ?? (deps.now === undefined ? systemClock : readOnlyClock(deps.now));
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Whether an entry is kept for the target (fresh or not); does not count as a use. */
  has(target: Target): boolean {
    return this.#entries.has(target.key);
  }

  /** The entry when fresh, else undefined. Starts a background refresh when close to expiry. */
  hit(target: Target): CacheEntry | undefined {
    const entry = this.#entries.get(target.key);
    if (entry === undefined) return undefined;
    if (!entry.fast) {
      const now = this.#clock.now();
      if (now >= entry.expiresAt) return undefined;
      if (now >= entry.refreshAt && now >= entry.retryAt && !this.#flights.has(target.key)) {
        this.#start(target, true);
      }
    }
    entry.recent = true;
    if (this.#deps.hooks.onFetch !== undefined) {
      this.#deps.hooks.fetch({
        id: target.id,
        source: entry.record.source,
        cache: "hit",
        latencyMs: 0,
        background: false,
      });
    }
    return entry;
  }

  /** The entry from the backend (coalesced with any request already under way), or a stale one if it is unreachable. */
  fetch(target: Target, force: boolean): Promise<CacheEntry> {
    return this.#ready(target, force) ?? this.#start(target, false);
  }

  /** Like `fetch` for many targets, loading all that are not cached or under way in one batch. */
  fetchMany(targets: readonly Target[]): Promise<Array<CacheEntry | Error>> {
    const results: Array<CacheEntry | Promise<CacheEntry | Error>> = [];
    const toLoad = new Map<string, Target>();
    const waiting: number[] = [];
    for (const [index, target] of targets.entries()) {
      const entry = this.hit(target);
      const ready = entry === undefined ? this.#ready(target, false) : undefined;
      if (entry !== undefined) results[index] = entry;
      else if (ready !== undefined) results[index] = ready.catch(asError);
      else {
        toLoad.set(target.key, target);
        waiting.push(index);
      }
    }
    if (toLoad.size > 0) {
      const batch = this.#deps.loadMany([...toLoad.values()]);
      const flights = new Map<string, Promise<CacheEntry>>();
      for (const target of toLoad.values()) {
        const record = batch.then((loaded) => {
          const result = loaded.get(target.key);
          if (result instanceof Error) throw result;
          if (result === undefined) throw new SecretNotFoundError(target.id);
          return result;
        });
        flights.set(target.key, this.#start(target, false, record));
      }
      for (const index of waiting) {
        const target = targets[index] as Target;
        results[index] = (flights.get(target.key) as Promise<CacheEntry>).catch(asError);
      }
    }
    return Promise.all(results);
  }

  /** Puts a record in the cache as if just fetched (used by tests and warm-up). */
  fill(target: Target, record: SecretRecord): CacheEntry {
    const entry = this.#newEntry(target, record, this.#clock.now());
    this.#store(entry);
    return entry;
  }

  /** Drops entries (all when no predicate), and forgets requests under way so their results are not kept. */
  drop(matches?: (target: Target, record: SecretRecord | undefined) => boolean): void {
    if (matches === undefined) {
      for (const entry of this.#entries.values()) endFastWindow(entry);
      this.#entries.clear();
      this.#flights.clear();
      return;
    }
    for (const [key, entry] of this.#entries) {
      if (!matches(entry.target, entry.record)) continue;
      endFastWindow(entry);
      this.#entries.delete(key);
    }
    for (const [key, flight] of this.#flights)
      if (matches(flight.target, undefined)) this.#flights.delete(key);
  }

  /**
   * Marks matching entries expired (they stay available as stale values within maxStale) and
   * forgets requests under way for them; with `refetch`, refetches each in the background.
   */
  expire(
    matches: (target: Target, record: SecretRecord | undefined) => boolean,
    refetch: (entry: CacheEntry) => boolean,
  ): number {
    const expired: CacheEntry[] = [];
    for (const [key, flight] of this.#flights) {
      if (!this.#entries.has(key) && matches(flight.target, undefined)) this.#flights.delete(key);
    }
    for (const entry of this.#entries.values()) {
      if (!matches(entry.target, entry.record)) continue;
      endFastWindow(entry);
      entry.expiresAt = 0;
      entry.refreshAt = 0;
      entry.retryAt = 0;
      expired.push(entry);
    }
    for (const entry of expired) {
      this.#flights.delete(entry.target.key);
      if (refetch(entry)) this.#start(entry.target, true);
    }
    return expired.length;
  }

  /** A promise for an entry that needs no new backend call: a request under way, a fresh entry, or a stale one while retries wait. */
  #ready(target: Target, force: boolean): Promise<CacheEntry> | undefined {
    const flight = this.#flights.get(target.key);
    if (flight !== undefined) return flight.promise;
    if (force) return undefined;
    const entry = this.#entries.get(target.key);
    if (entry === undefined) return undefined;
    if (entry.fast) return Promise.resolve(entry);
    const now = this.#clock.now();
    if (now < entry.expiresAt) return Promise.resolve(entry);
    if (now < entry.retryAt && now < entry.staleUntil) {
      this.#deps.hooks.fetch({
        id: target.id,
        source: entry.record.source,
        cache: "stale",
        latencyMs: 0,
        background: false,
      });
      return Promise.resolve(entry);
    }
    return undefined;
  }

  #start(target: Target, background: boolean, source?: Promise<SecretRecord>): Promise<CacheEntry> {
    const started = performance.now();
    const key = target.key;
    const records = source ?? callLoader(this.#deps.load, target);
    const promise: Promise<CacheEntry> = records.then(
      (record) => {
        const current = this.#flights.get(key) === flight;
        if (current) this.#flights.delete(key);
        const now = this.#clock.now();
        const entry = this.#newEntry(target, record, now);
        if (current) {
          this.#store(entry);
          this.#deps.lastKnownGood?.remember(key, entry.record, now);
        }
        this.#deps.hooks.fetch({
          id: target.id,
          source: record.source,
          cache: "miss",
          latencyMs: performance.now() - started,
          background,
        });
        return entry;
      },
      (error: unknown) => this.#failed(target, asError(error), started, background, flight),
    );
    const flight: Flight = { target, promise };
    this.#flights.set(key, flight);
    if (background) promise.catch(() => {});
    return promise;
  }

  async #failed(
    target: Target,
    error: Error,
    started: number,
    background: boolean,
    flight: Flight,
  ): Promise<CacheEntry> {
    const key = target.key;
    const current = this.#flights.get(key) === flight;
    if (current) this.#flights.delete(key);
    const source = sourceOf(error);
    const latencyMs = () => performance.now() - started;
    if (error instanceof SecretNotFoundError) {
      if (current) {
        this.#entries.delete(key);
        this.#deps.lastKnownGood?.forget(key);
      }
    } else if (error instanceof BackendUnavailableError) {
      const now = this.#clock.now();
      let entry = this.#entries.get(key);
      if (entry === undefined && this.#deps.lastKnownGood !== undefined) {
        entry = await this.#fromLastKnownGood(target, now);
      }
      if (entry !== undefined && now < entry.staleUntil) {
        entry.retryAt = now + this.#options.retryAfterMs;
        const servedStale = now >= entry.expiresAt;
        this.#deps.hooks.fetch({
          id: target.id,
          source,
          cache: servedStale ? "stale" : "miss",
          latencyMs: latencyMs(),
          background,
          error,
        });
        this.#deps.hooks.error(error, { id: target.id, source, servedStale });
        return entry;
      }
    }
    this.#deps.hooks.fetch({
      id: target.id,
      source,
      cache: "miss",
      latencyMs: latencyMs(),
      background,
      error,
    });
    if (background && !(error instanceof SecretNotFoundError)) {
      this.#deps.hooks.error(error, { id: target.id, source, servedStale: false });
    }
    throw error;
  }

  async #fromLastKnownGood(target: Target, now: number): Promise<CacheEntry | undefined> {
    const remembered = await this.#deps.lastKnownGood?.lookup(target.key, now).catch(() => undefined);
    if (remembered === undefined || now >= remembered.usableUntil) return undefined;
    const entry = this.#newEntry(target, remembered.record, remembered.fetchedAt);
    entry.expiresAt = 0;
    entry.refreshAt = 0;
    entry.staleUntil = remembered.usableUntil;
    if (this.#options.enabled && !this.#entries.has(target.key)) this.#store(entry);
    return entry;
  }

  #newEntry(target: Target, record: SecretRecord, fetchedAt: number): CacheEntry {
    const { ttlMs, refreshAheadMs, maxStaleMs } = this.#options;
    const expiresAt = fetchedAt + ttlMs;
    return {
      target,
      record: freezeRecord(record),
      fetchedAt,
      expiresAt,
      refreshAt: refreshAheadMs > 0 ? expiresAt - refreshAheadMs : expiresAt,
      staleUntil: expiresAt + maxStaleMs,
      retryAt: 0,
      json: undefined,
      jsonState: "unparsed",
      jsonError: undefined,
      validated: undefined,
      jsonAnswer: undefined,
      textAnswer: undefined,
      recordAnswer: undefined,
      fieldAnswers: undefined,
      fast: false,
      recent: false,
      cancelFast: undefined,
    };
  }

  #store(entry: CacheEntry): void {
    if (!this.#options.enabled) return;
    const key = entry.target.key;
    const previous = this.#entries.get(key);
    if (previous !== undefined) {
      endFastWindow(previous);
      this.#entries.delete(key);
    }
    this.#entries.set(key, entry);
    this.#startFastWindow(entry);
    this.#evict(entry);
  }

  /** Marks a just-stored entry fast until the end of its window, if the clock can schedule that. */
  #startFastWindow(entry: CacheEntry): void {
    const after = this.#clock.after;
    if (after === undefined) return;
    const remaining = fastWindowEnd(entry.fetchedAt, entry.expiresAt, entry.refreshAt) - this.#clock.now();
    if (!(remaining > 0)) return;
    entry.fast = true;
    entry.cancelFast = after(remaining, () => {
      entry.fast = false;
      entry.cancelFast = undefined;
    });
  }

  /**
   * Second-chance LRU (CLOCK): from the oldest, an entry hit since the sweep last passed it moves
   * to the newest end with its flag cleared; the first one not hit (never the entry just stored)
   * is dropped; when all were hit, the oldest is. A hit costs a flag write instead of a Map
   * re-insertion; a sweep is amortized O(1) per hit.
   */
  #evict(stored: CacheEntry): void {
    while (this.#entries.size > this.#options.maxEntries) {
      const passed: CacheEntry[] = [];
      let victim: CacheEntry | undefined;
      for (const entry of this.#entries.values()) {
        if (entry === stored) continue;
        if (!entry.recent) {
          victim = entry;
          break;
        }
        passed.push(entry);
      }
      for (const entry of passed) {
        entry.recent = false;
        this.#entries.delete(entry.target.key);
        this.#entries.set(entry.target.key, entry);
      }
      victim ??= passed[0];
      if (victim === undefined) return;
      endFastWindow(victim);
      this.#entries.delete(victim.target.key);
    }
  }
}

function endFastWindow(entry: CacheEntry): void {
  entry.fast = false;
  entry.cancelFast?.();
  entry.cancelFast = undefined;
}

function callLoader(load: Loader, target: Target): Promise<SecretRecord> {
  try {
    return load(target);
  } catch (error) {
    return Promise.reject(error);
  }
}

function freezeRecord(record: SecretRecord): SecretRecord {
  if (record.versionStages !== undefined) Object.freeze(record.versionStages);
  return Object.freeze(record);
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new CofferClientError(String(error));
}

function sourceOf(error: Error): string {
  const source = (error as { source?: unknown }).source;
  if (typeof source === "string") return source;
  const sources = (error as { sources?: unknown }).sources;
  if (Array.isArray(sources) && sources.length > 0) return sources.join(",");
  return "unknown";
}
