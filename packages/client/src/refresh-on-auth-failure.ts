import type { SecretsClient } from "./types.js";

/**
 * Runs `use(value)` with the secret; if it throws and `isAuthFailure(error)` says the value was
 * refused (rotated password, revoked key), fetches the secret again past the cache and retries
 * once. Any other error, or a second failure, is thrown as is.
 *
 * ```ts
 * const rows = await refreshOnAuthFailure(secrets, "prod/db#password", (password) => query(password),
 *   (error) => (error as { code?: string }).code === "28P01");
 * ```
 */
export async function refreshOnAuthFailure<T>(
  client: SecretsClient,
  id: string,
  use: (value: string) => Promise<T>,
  isAuthFailure: (error: unknown) => boolean,
): Promise<T> {
  const value = await client.get(id);
  try {
    return await use(value);
  } catch (error) {
    if (!isAuthFailure(error)) throw error;
    const fresh = await client.get(id, { forceFetch: true });
    return use(fresh);
  }
}
