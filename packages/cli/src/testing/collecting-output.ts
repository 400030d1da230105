import type { Output } from "../context.js";

/** An Output for tests that collects text and lets a test wait until some has arrived. */
export class CollectingOutput implements Output {
  private received = "";
  private waiters: Array<{ text: string; resolve: () => void }> = [];

  write(chunk: string | Uint8Array): boolean {
    this.received += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    this.waiters = this.waiters.filter((waiter) => {
      if (!this.received.includes(waiter.text)) return true;
      waiter.resolve();
      return false;
    });
    return true;
  }

  get text(): string {
    return this.received;
  }

  /** Resolves once `text` has been written. */
  waitFor(text: string): Promise<void> {
    if (this.received.includes(text)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ text, resolve }));
  }
}
