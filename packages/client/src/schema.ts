import type { StandardSchemaV1 } from "@standard-schema/spec";
import { SecretValidationError, type ValidationIssue } from "./errors.js";

const REDACTED = "[REDACTED]";

/**
 * Validates with any Standard Schema validator (zod, valibot, arktype…). Returns the validator's
 * output (synchronously when the validator is synchronous) or throws `SecretValidationError`
 * naming the secret and each failing path. Some validators quote the input in their messages
 * (valibot: `…but received "hunter2"`), so every string and number found in the input is
 * redacted from the messages before they are kept.
 */
export function validateWithSchema<T>(
  secretId: string,
  schema: StandardSchemaV1<unknown, T>,
  value: unknown,
  pathPrefix: ReadonlyArray<string | number> = [],
): T | Promise<T> {
  const result = schema["~standard"].validate(value);
  if (result instanceof Promise)
    return result.then((settled) => outcome(secretId, settled, value, pathPrefix));
  return outcome(secretId, result, value, pathPrefix);
}

function outcome<T>(
  secretId: string,
  result: StandardSchemaV1.Result<T>,
  input: unknown,
  pathPrefix: ReadonlyArray<string | number>,
): T {
  if (result.issues === undefined) return result.value;
  const redact = redactorFor(input);
  const issues: ValidationIssue[] = result.issues.map((issue) => ({
    path: [...pathPrefix, ...(issue.path ?? []).map(pathKey)],
    message: redact(String(issue.message)),
  }));
  throw new SecretValidationError(secretId, issues);
}

function pathKey(segment: PropertyKey | StandardSchemaV1.PathSegment): string | number {
  const key = typeof segment === "object" ? segment.key : segment;
  if (typeof key === "number") return key;
  if (typeof key === "symbol") return key.description ?? "symbol";
  return key;
}

/** Returns a function that replaces every string and number of `input` found in a message. */
export function redactorFor(input: unknown): (message: string) => string {
  const leaves = new Set<string>();
  collectLeaves(input, leaves, 0);
  if (leaves.size === 0) return (message) => message;
  const longFirst = [...leaves].sort((a, b) => b.length - a.length);
  return (message) => {
    let text = message;
    for (const leaf of longFirst) {
      if (leaf.length >= 4) {
        text = text.split(leaf).join(REDACTED);
      } else {
        // Short values would match inside ordinary words; replace them only where they stand alone.
        text = text.replace(
          new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(leaf)}(?![\\p{L}\\p{N}_])`, "gu"),
          REDACTED,
        );
      }
    }
    return text;
  };
}

function collectLeaves(value: unknown, leaves: Set<string>, depth: number): void {
  if (depth > 64) return;
  if (typeof value === "string") {
    if (value === "") return;
    leaves.add(value);
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) leaves.add(escaped);
  } else if (typeof value === "number" || typeof value === "bigint") {
    leaves.add(String(value));
  } else if (Array.isArray(value)) {
    for (const item of value) collectLeaves(item, leaves, depth + 1);
  } else if (value !== null && typeof value === "object") {
    for (const item of Object.values(value)) collectLeaves(item, leaves, depth + 1);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
