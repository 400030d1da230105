import { InvalidParameterException } from "../errors.js";
import type { Tag } from "./records.js";

export const maxTagsPerSecret = 50;

function assertTagKey(key: string): void {
  if (key.toLowerCase().startsWith("aws:")) {
    throw new InvalidParameterException(
      `Tag key '${key}' is invalid: the prefix 'aws:' is reserved for AWS use.`,
    );
  }
}

/** Adds or overwrites tags by key, keeping the existing order of keys. */
export function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const byKey = new Map(existing.map((tag) => [tag.Key, tag.Value]));
  for (const tag of added) {
    assertTagKey(tag.Key);
    byKey.set(tag.Key, tag.Value);
  }
  if (byKey.size > maxTagsPerSecret) {
    throw new InvalidParameterException(
      `A secret can have at most ${maxTagsPerSecret} tags; this request would leave it with ${byKey.size}.`,
    );
  }
  return [...byKey].map(([Key, Value]) => ({ Key, Value }));
}

export function removeTags(existing: Tag[], keys: string[]): Tag[] {
  const removed = new Set(keys);
  return existing.filter((tag) => !removed.has(tag.Key));
}
