import { InternalServiceError } from "../../errors/catalog.js";
import { StoreConflictError } from "../ports/secret-store.js";

const maxAttempts = 10;

/**
 * Runs read-decide-commit until the commit lands: a concurrent writer bumps the secret's revision,
 * and the losing request re-reads and decides again on the fresh state.
 */
export async function withOptimisticRetry<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof StoreConflictError) || error.reason !== "revision-changed") throw error;
      if (i >= maxAttempts) {
        throw new InternalServiceError(
          "The secret is being changed by many requests at once; retry the request.",
          {
            cause: error,
          },
        );
      }
      // Jittered backoff spreads out writers in other processes sharing the database.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * i));
    }
  }
}
