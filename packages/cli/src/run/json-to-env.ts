import { UsageError } from "../errors.js";
import { isEnvName, toEnvName } from "./env-name.js";

/**
 * Spreads a JSON object secret into variables: each top-level key becomes `prefix` + the key in
 * UPPER_SNAKE_CASE (see {@link toEnvName}). String values are used as they are, anything else as
 * its JSON text (`5432`, `true`, `{"a":1}`), as `coffer get --field` prints them. Errors name
 * secrets and keys, never values.
 */
export function jsonToEnv(secretId: string, value: unknown, prefix: string): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError(`--env-json ${secretId}: the secret is not a JSON object`);
  }
  const variables: Record<string, string> = {};
  const keyOf: Record<string, string> = {};
  for (const [key, field] of Object.entries(value)) {
    const converted = toEnvName(key);
    const name = converted === undefined ? undefined : `${prefix}${converted}`;
    if (name === undefined || !isEnvName(name)) {
      throw new UsageError(
        `--env-json ${secretId}: key "${key}" gives no valid variable name` +
          (prefix === "" ? " (a --prefix may help)" : ""),
      );
    }
    const clash = keyOf[name];
    if (clash !== undefined) {
      throw new UsageError(`--env-json ${secretId}: keys "${clash}" and "${key}" both become ${name}`);
    }
    keyOf[name] = key;
    variables[name] = typeof field === "string" ? field : JSON.stringify(field);
  }
  return variables;
}
