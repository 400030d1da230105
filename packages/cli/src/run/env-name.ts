const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** True for a name a POSIX shell could export. */
export function isEnvName(name: string): boolean {
  return ENV_NAME.test(name);
}

/**
 * A JSON key as an environment variable name: words split at case changes and at anything not a
 * letter or digit, joined with "_", upper-cased. `apiKey` → `API_KEY`, `db-password` → `DB_PASSWORD`,
 * `OAuthToken` → `O_AUTH_TOKEN`, `HTTPServer` → `HTTP_SERVER`, `key2` → `KEY2`.
 * Undefined when nothing usable remains (a key of only punctuation).
 */
export function toEnvName(key: string): string | undefined {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1_$2")
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== "");
  if (words.length === 0) return undefined;
  return words.join("_").toUpperCase();
}
