import { createSecrets } from "./client.js";
import type { SecretsClient } from "./types.js";

let instance: SecretsClient | undefined;

function current(): SecretsClient {
  instance ??= createSecrets();
  return instance;
}

function attempt<T>(run: () => Promise<T>): Promise<T> {
  try {
    return run();
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * The default client, configured from the environment on first use:
 * `import { secrets } from "@coffer/client"; const { apiKey } = await secrets.getJson("alpha-vantage");`
 * After `close()`, the next call builds a new one.
 */
export const secrets: SecretsClient = Object.freeze({
  get: (id, options) => attempt(() => current().get(id, options)),
  getJson: (id, options) => attempt(() => current().getJson(id, options)),
  getBinary: (id, options) => attempt(() => current().getBinary(id, options)),
  getRecord: (id, options) => attempt(() => current().getRecord(id, options)),
  resolve: (references) => attempt(() => current().resolve(references)),
  invalidate: (id) => instance?.invalidate(id),
  close: async () => {
    const closing = instance;
    instance = undefined;
    await closing?.close();
  },
} satisfies SecretsClient);
