import type { ChainHead, StoredAuditEvent } from "./audit-query.js";

export interface TailSource {
  readFrom(fromSeq: number, limit: number): Promise<StoredAuditEvent[]>;
  head(): Promise<ChainHead>;
  /** In-process notice of new commits, when the source has one; returns the unsubscribe. */
  subscribe?(listener: () => void): () => void;
}

export interface TailOptions {
  /** First seq to deliver. Default: the event after the current head (only new events). */
  fromSeq?: number | undefined;
  /** Keep waiting for new events after the stored ones, until stopped. */
  follow: boolean;
  /** Awaited before the next event is read: a slow consumer slows the tail, nothing piles up. */
  onEvent(event: StoredAuditEvent): void | Promise<void>;
  /**
   * When following, how often to look for events no in-process notice announced (written by
   * another process, e.g. the server while `coffer audit tail` runs). Default 1000 ms.
   */
  pollIntervalMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

export interface AuditTail {
  /** Stops after the event being delivered, if any; resolves when the tail has stopped. */
  stop(): Promise<void>;
  /** Settles when the tail ends: by itself (not following), by stop(), or rejected by a failure. */
  readonly done: Promise<void>;
}

const PAGE = 256;

export function tailAudit(source: TailSource, options: TailOptions): AuditTail {
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  if (!(pollIntervalMs > 0)) throw new RangeError("pollIntervalMs must be positive");
  if (options.fromSeq !== undefined && !(Number.isInteger(options.fromSeq) && options.fromSeq >= 1)) {
    throw new RangeError("fromSeq must be an integer ≥ 1");
  }
  let stopped = false;
  let committedSinceRead = false;
  let wake: (() => void) | undefined;
  const ring = () => {
    committedSinceRead = true;
    wake?.();
  };
  const stopNow = () => {
    stopped = true;
    wake?.();
  };
  const unsubscribe = source.subscribe?.(ring);
  options.signal?.addEventListener("abort", stopNow, { once: true });
  if (options.signal?.aborted) stopNow();

  const run = async () => {
    let next = options.fromSeq ?? (await source.head()).seq + 1;
    while (!stopped) {
      committedSinceRead = false;
      const events = await source.readFrom(next, PAGE);
      for (const event of events) {
        if (stopped) return;
        await options.onEvent(event);
        next = event.seq + 1;
      }
      if (events.length === PAGE) continue;
      if (!options.follow) return;
      if (committedSinceRead || stopped) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => wake?.(), pollIntervalMs);
        wake = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
      });
    }
  };
  const done = run().finally(() => {
    unsubscribe?.();
    options.signal?.removeEventListener("abort", stopNow);
  });
  // Observed by whoever awaits `done`; never an unhandled rejection on its own.
  done.catch(() => {});
  return {
    done,
    async stop() {
      stopNow();
      await done.catch(() => {});
    },
  };
}
