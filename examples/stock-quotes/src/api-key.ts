/** The secret exists but holds no usable `apiKey`. The message names fields, never values. */
export class ApiKeyFieldError extends Error {
  override name = "ApiKeyFieldError";
  constructor(readonly secretId: string) {
    super(
      `secret "${secretId}" has no "apiKey" text field; store it with: coffer put ${secretId} apiKey=YOUR_KEY`,
    );
  }
}

/** Checks the `apiKey` field read from the secret: `const { apiKey } = await secrets.getJson(id)`. */
export function requireApiKey(apiKey: unknown, secretId: string): string {
  if (typeof apiKey !== "string" || apiKey.trim().length === 0) throw new ApiKeyFieldError(secretId);
  return apiKey.trim();
}
