import type { CacheClock } from "../cache/clock.js";

/**
 * A hand-driven clock with timers, for the cache: `advance(ms)` moves time and runs the timers
 * then due, in order; `advance(ms, { late: true })` moves time without running them (a blocked
 * event loop), and `fire()` runs them afterwards.
 */
export class ManualClock implements CacheClock {
  #now: number;
  #timers: Array<{ at: number; due: () => void; seq: number }> = [];
  #seq = 0;

  constructor(start = 1_000_000) {
    this.#now = start;
  }

  now = (): number => this.#now;

  after = (ms: number, due: () => void): (() => void) => {
    const timer = { at: this.#now + ms, due, seq: this.#seq++ };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer);
    };
  };

  get pending(): number {
    return this.#timers.length;
  }

  advance(ms: number, options: { late?: boolean } = {}): void {
    this.#now += ms;
    if (options.late !== true) this.fire();
  }

  /** Runs every timer due by now. */
  fire(): void {
    for (;;) {
      const due = this.#timers
        .filter((t) => t.at <= this.#now)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) return;
      this.#timers = this.#timers.filter((t) => t !== due);
      due.due();
    }
  }
}
