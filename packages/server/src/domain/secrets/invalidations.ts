/**
 * The seam through which anything that holds secret data in memory (the read model) learns that
 * stored rows changed. The domain owns this port; what feeds it depends on the deployment:
 *
 * - one process on SQLite (today): {@link LocalSecretInvalidations}, fed synchronously by the
 *   change bus the writer publishes to after every commit, by the store wrapper around every
 *   mutating store call (invalidating-store.ts), and by the app for changes made outside this
 *   process (another process committing to the same database, a master-key rotation);
 * - several nodes on PostgreSQL (a later issue): the same port, fed also by LISTEN/NOTIFY, each
 *   commit sending a notice in its own transaction.
 *
 * A notice names a secret, never a value. When unsure what changed, a source says `all`.
 */
export type SecretInvalidation =
  | {
      kind: "secret";
      arn: string;
      /** With the name and region, lookups by name and partial ARN are dropped too. */
      name?: string | undefined;
      region?: string | undefined;
    }
  | { kind: "all"; reason: string };

export type InvalidationListener = (invalidation: SecretInvalidation) => void;

export interface SecretInvalidations {
  /** Calls `listener` for every invalidation from now on; returns the way to stop. */
  subscribe(listener: InvalidationListener): () => void;
}

/** What a source may push into the in-process implementation. */
export interface InvalidationSink {
  invalidate(invalidation: SecretInvalidation): void;
}

/**
 * The in-process implementation: listeners run synchronously inside `invalidate`, so when a
 * writer's commit returns, every cache in the process has already dropped what it changed.
 */
export class LocalSecretInvalidations implements SecretInvalidations, InvalidationSink {
  private readonly listeners = new Set<InvalidationListener>();

  subscribe(listener: InvalidationListener): () => void {
    const entry: InvalidationListener = (invalidation) => listener(invalidation);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  invalidate(invalidation: SecretInvalidation): void {
    for (const listener of this.listeners) listener(invalidation);
  }

  /**
   * Feeds every change published on the change bus (change-events.ts). Returns the way to stop.
   * The bus calls its listeners synchronously inside `publish`, which the writer calls right after
   * its commit and before it returns.
   */
  follow(bus: {
    subscribe(listener: (event: { arn: string; name: string; region: string }) => void): {
      unsubscribe(): void;
    };
  }): () => void {
    const subscription = bus.subscribe((event) =>
      this.invalidate({ kind: "secret", arn: event.arn, name: event.name, region: event.region }),
    );
    return () => subscription.unsubscribe();
  }
}
