import type { ChangeNotice } from "../secrets/change-events.js";
import type { InvalidationSink } from "../secrets/invalidations.js";
import type { IdentityStore } from "./identity-store.js";
import type { RotationSchedule } from "./rotation-schedule.js";
import type { SecretStore, SettingsStore } from "./secret-store.js";

/**
 * Everything the server keeps in its database, behind the domain's own ports. Which engine holds
 * it (SQLite in the data folder, or PostgreSQL shared by several nodes) is chosen once, by
 * `openStores` (storage/open-stores.ts); nothing above it knows which one it got.
 */
export interface Stores {
  /** For messages and `/ready`, never for branching on behaviour. */
  readonly engine: "sqlite" | "postgres";
  /** Where the data lives, for messages: a file path, or a URL without its password. */
  readonly location: string;
  readonly secrets: SecretStore;
  readonly settings: SettingsStore;
  readonly identity: IdentityStore;
  readonly rotation: RotationSchedule;
  readonly leases: LeaseStore;
  readonly nodes: NodeRegistry;
  /**
   * Feeds `sink` every change committed by another process or node (another node's write,
   * `coffer keys rotate` beside a running server): per secret where the engine knows which, `all`
   * where it does not. If the feed may have missed something (a dropped connection, a failed
   * check), it says `all`. Returns the way to stop.
   */
  watchOutsideChanges(sink: OutsideChangeSink, onError?: (error: unknown) => void): () => void;
  /**
   * Engines shared by several nodes: resolves once every change committed anywhere before the call
   * has reached this node's sinks (or, when the engine cannot tell, once it has told them `all`), so
   * a request that starts after it sees another node's acknowledged write, and a key another node
   * disabled, on its very first read. Never rejects. Absent where one process owns the data.
   */
  catchUp?(): Promise<void>;
  /**
   * Engines shared by several nodes: tells the other nodes' change feeds (`GET /changes`) about a
   * change this node committed, after the commit (their `OutsideChangeSink.changeEvent`). Best
   * effort: a node that dies between its commit and this call leaves that event unstreamed
   * elsewhere (their caches still drop the change, from the commit's own notice).
   */
  announceChangeEvent?(notice: ChangeNotice): void;
  /** Resolves when the database answers and its schema is current; rejects with why not (`/ready`). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** What {@link Stores.watchOutsideChanges} feeds: secret changes, and identity changes where known. */
export interface OutsideChangeSink extends InvalidationSink {
  /**
   * Another node changed principals, policies or access keys: identity caches forget what they
   * hold. (A secret invalidation of `all` means the feed may have missed anything: forget too.)
   */
  identityChanged?(): void;
  /** Another node committed this change: for this node's change feed (`GET /changes`). */
  changeEvent?(notice: ChangeNotice): void;
}

/**
 * Named leases for background work that exactly one node may run at a time (the purge sweep, the
 * rotation scheduler's pass). A lease is held until `expiresAt`; the holder renews it by claiming
 * again before then; another holder gets it only once it has expired.
 */
export interface LeaseStore {
  /** Takes or renews `name` for `holder` until now + ttlMs; false when another holder has it. */
  claim(name: string, holder: string, now: number, ttlMs: number): Promise<boolean>;
  release(name: string, holder: string): Promise<void>;
  /** Who holds `name` now, if anyone. */
  holder(name: string, now: number): Promise<string | undefined>;
}

/** What a running node last reported of itself (its heartbeat). */
export interface NodeReport {
  nodeId: string;
  /** The master key id it wraps new data keys under now. */
  activeKekId: string;
  startedAt: number;
  seenAt: number;
}

/**
 * The nodes serving from this store, as their heartbeats tell. `coffer keys rotate` waits on it
 * until every live node wraps under the new master key before it re-wraps old data keys.
 */
export interface NodeRegistry {
  /** Records (or refreshes) this node's report. */
  report(node: NodeReport): Promise<void>;
  /** Nodes seen at or after `since`. */
  live(since: number): Promise<NodeReport[]>;
  /** A node that stops cleanly removes itself. */
  forget(nodeId: string): Promise<void>;
}
