import type { ErrorContext, FetchEvent } from "./types.js";

/**
 * The observability callbacks, called so that a throwing listener never breaks a read. A hit
 * builds its event only when `onFetch` is set, so an unobserved hit allocates nothing here.
 */
export class Hooks {
  readonly onFetch: ((event: FetchEvent) => void) | undefined;
  readonly #onError: ((error: Error, context: ErrorContext) => void) | undefined;

  constructor(options: {
    onFetch?: ((event: FetchEvent) => void) | undefined;
    onError?: ((error: Error, context: ErrorContext) => void) | undefined;
  }) {
    this.onFetch = options.onFetch;
    this.#onError = options.onError;
  }

  fetch(event: FetchEvent): void {
    if (this.onFetch === undefined) return;
    try {
      this.onFetch(event);
    } catch {
      // A listener's fault must not turn a successful read into a failure.
    }
  }

  error(error: Error, context: ErrorContext): void {
    if (this.#onError === undefined) return;
    try {
      this.#onError(error, context);
    } catch {
      // Same as above.
    }
  }
}
