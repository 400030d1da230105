/**
 * The change feed's source: an in-process bus the SecretWriter publishes to after every successful
 * commit. An event names the secret and what happened to it — never a value — so that caches
 * (the client library, the agent) know what to drop and refetch.
 *
 * Each event gets an id one higher than the previous one; the last `capacity` events are kept in a
 * ring buffer so a subscriber that reconnects with the last id it saw gets what it missed. When the
 * gap cannot be filled (the id is older than the buffer, or from another run of the server), the
 * subscriber is told to reset: invalidate everything it holds.
 *
 * The bus is per process. Servers sharing one database do not see each other's events.
 */

export type ChangeOperation =
  | "CreateSecret"
  | "PutSecretValue"
  | "UpdateSecret"
  | "UpdateSecretVersionStage"
  | "DeleteSecret"
  | "RestoreSecret"
  | "TagResource"
  | "UntagResource"
  | "PutResourcePolicy"
  | "DeleteResourcePolicy"
  /** The recovery window of a deleted secret ended and the sweep removed it. */
  | "Purge"
  /** Rotation configured, a rotation's label moved, or rotation turned off (domain/rotation). */
  | "RotateSecret"
  | "CancelRotateSecret"
  /** Replication (docs/replication.md): replicas added, removed, or one promoted. */
  | "ReplicateSecretToRegions"
  | "RemoveRegionsFromReplication"
  | "StopReplicationToReplica";

/** What the writer reports. */
export interface ChangeNotice {
  arn: string;
  name: string;
  region: string;
  /** The version holding AWSCURRENT after the change; absent after a delete or purge. */
  versionId?: string | undefined;
  operation: ChangeOperation;
  /** Epoch milliseconds. */
  eventTime: number;
}

/** A published notice with its position in the feed. */
export interface ChangeEvent extends ChangeNotice {
  readonly id: number;
}

/** The writer's view of the bus (see `SecretDomainDeps.changes`). */
export interface ChangePublisher {
  publish(notice: ChangeNotice): void;
}

export type ChangeListener = (event: ChangeEvent) => void;

/** Where a new subscriber starts. */
export type ResumePoint =
  /** Events after the given id, oldest first (possibly none). */
  | { kind: "replay"; events: ChangeEvent[] }
  /** The events after the given id are gone: the subscriber must invalidate everything. */
  | { kind: "reset" };

export interface ChangeSubscription {
  resume: ResumePoint;
  /** The id of the newest event published so far (`firstId - 1` before any). */
  lastId: number;
  unsubscribe(): void;
}

export interface ChangeEventBusOptions {
  /** How many recent events are kept for resuming. Default 1000. */
  capacity?: number;
  /**
   * The id of the first event. Defaults to 1. The server starts it from the clock so that ids keep
   * increasing across restarts and an id from a previous run is recognised as too old (reset).
   */
  firstId?: number;
  /** Called when a listener throws; the other listeners and the writer are not affected. */
  onListenerError?: (error: unknown) => void;
}

export const defaultChangeBufferCapacity = 1000;

export class ChangeEventBus implements ChangePublisher {
  private readonly capacity: number;
  private readonly ring: Array<ChangeEvent | undefined>;
  /** Index in `ring` where the next event goes. */
  private head = 0;
  private size = 0;
  private nextId: number;
  private readonly listeners = new Set<ChangeListener>();
  private readonly onListenerError: (error: unknown) => void;

  constructor(options: ChangeEventBusOptions = {}) {
    const capacity = options.capacity ?? defaultChangeBufferCapacity;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
    const firstId = options.firstId ?? 1;
    if (!Number.isSafeInteger(firstId) || firstId < 1) {
      throw new RangeError(`firstId must be a positive safe integer, got ${firstId}`);
    }
    this.capacity = capacity;
    this.nextId = firstId;
    this.ring = new Array<ChangeEvent | undefined>(capacity);
    this.onListenerError = options.onListenerError ?? (() => {});
  }

  /** The id of the newest event (`firstId - 1` before any). */
  get lastId(): number {
    return this.nextId - 1;
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  publish(notice: ChangeNotice): ChangeEvent {
    const event: ChangeEvent = Object.freeze({ ...pickNotice(notice), id: this.nextId++ });
    this.ring[this.head] = event;
    this.head = (this.head + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
    // A copy: a listener may unsubscribe (itself or another) while we iterate.
    for (const listener of [...this.listeners]) {
      if (!this.listeners.has(listener)) continue;
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
    return event;
  }

  /**
   * The events published after `since`, oldest first; `undefined` when some of them are no longer
   * buffered, or when `since` is not an id of this bus (from the future, or below `firstId - 1`).
   */
  eventsAfter(since: number): ChangeEvent[] | undefined {
    const oldestKept = this.nextId - this.size;
    if (!Number.isSafeInteger(since) || since < oldestKept - 1 || since > this.lastId) return undefined;
    const count = this.lastId - since;
    const events: ChangeEvent[] = [];
    for (let i = count; i > 0; i--) {
      events.push(this.ring[(this.head - i + this.capacity) % this.capacity] as ChangeEvent);
    }
    return events;
  }

  /**
   * Adds a listener for events published from now on. With `since`, also returns what to replay
   * first; between the replay and the first live event nothing is lost or repeated, because both
   * are taken in the same synchronous step.
   */
  subscribe(listener: ChangeListener, since?: number): ChangeSubscription {
    let resume: ResumePoint = { kind: "replay", events: [] };
    if (since !== undefined) {
      const events = this.eventsAfter(since);
      resume = events ? { kind: "replay", events } : { kind: "reset" };
    }
    // A wrapper, so subscribing the same function twice gives two independent subscriptions.
    const entry: ChangeListener = (event) => listener(event);
    this.listeners.add(entry);
    return {
      resume,
      lastId: this.lastId,
      unsubscribe: () => {
        this.listeners.delete(entry);
      },
    };
  }
}

/** Copies exactly the notice's fields, so nothing else a caller attached can reach subscribers. */
function pickNotice(notice: ChangeNotice): ChangeNotice {
  const picked: ChangeNotice = {
    arn: notice.arn,
    name: notice.name,
    region: notice.region,
    operation: notice.operation,
    eventTime: notice.eventTime,
  };
  if (notice.versionId !== undefined) picked.versionId = notice.versionId;
  return picked;
}
