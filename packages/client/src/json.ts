import { SecretValidationError } from "./errors.js";

/**
 * JSON handling of secret strings. `JSON.parse` error messages quote the input ("Unexpected
 * token … "hunter2" is not valid JSON"), so they are never passed on: only the position is kept.
 */
export function parseSecretJson(secretId: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const position = error instanceof SyntaxError ? /position (\d+)/.exec(error.message)?.[1] : undefined;
    throw new SecretValidationError(secretId, [
      {
        path: [],
        message:
          position === undefined
            ? "the value is not valid JSON"
            : `the value is not valid JSON (syntax error at character ${position})`,
      },
    ]);
  }
}

/** Freezes plain objects and arrays all the way down, once, so a shared cached value cannot be changed. */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return value;
  const prototype = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && prototype !== Object.prototype && prototype !== null) return value;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}

/** One top-level field of a parsed JSON object, for `name#field`. */
export function fieldOf(secretId: string, json: unknown, field: string): unknown {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new SecretValidationError(secretId, [
      { path: [], message: `the value is not a JSON object, so it has no field '${field}'` },
    ]);
  }
  if (!Object.hasOwn(json, field)) return undefined;
  return (json as Record<string, unknown>)[field];
}

/** A field as `get` returns it: strings as they are, anything else as its JSON text. */
export function fieldText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
