import type { LeaseStore } from "../domain/ports/stores.js";

export interface BackgroundLeaseOptions {
  leases: LeaseStore;
  /** The lease's name: one holder per name across every node on the store. */
  name: string;
  /** This node (stable for the life of the process). */
  holder: string;
  /** How long a claim lasts without renewal: a dead holder's work moves on after at most this. */
  ttlMs?: number;
  now?: () => number;
  onChange?: (held: boolean) => void;
  onError?: (error: unknown) => void;
}

export const defaultBackgroundLeaseTtlMs = 10_000;

/**
 * Keeps (or waits for) a named lease so that background work runs on exactly one node: the holder
 * renews every third of the TTL; the others try as often and take over once a dead holder's lease
 * expires (within the TTL). A renewal that fails gives the lease up locally at once: better a
 * moment with no node doing the work than two doing it.
 */
export class BackgroundLease {
  private timer: NodeJS.Timeout | undefined;
  private heldUntil = 0;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(private readonly options: BackgroundLeaseOptions) {
    this.ttlMs = options.ttlMs ?? defaultBackgroundLeaseTtlMs;
    this.now = options.now ?? Date.now;
  }

  /** True while this node holds the lease (and its last claim has not run out). */
  held(): boolean {
    return this.now() < this.heldUntil;
  }

  /** Claims now, then keeps claiming every ttl/3. Resolves after the first attempt. */
  async start(): Promise<void> {
    await this.attempt();
    this.timer = setInterval(() => void this.attempt(), Math.max(1, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  /** Stops renewing and releases the lease, so another node takes over at once. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    const wasHeld = this.held();
    this.heldUntil = 0;
    if (wasHeld) {
      this.options.onChange?.(false);
      await this.options.leases.release(this.options.name, this.options.holder).catch(this.options.onError);
    }
  }

  /** Claims or renews now (the timer calls this every ttl/3). */
  async attempt(): Promise<void> {
    const before = this.held();
    const at = this.now();
    try {
      const claimed = await this.options.leases.claim(this.options.name, this.options.holder, at, this.ttlMs);
      // Counted from before the claim was sent: the store's copy cannot outlive ours.
      this.heldUntil = claimed ? at + this.ttlMs : 0;
    } catch (error) {
      this.heldUntil = 0;
      this.options.onError?.(error);
    }
    const after = this.held();
    if (after !== before) this.options.onChange?.(after);
  }
}
