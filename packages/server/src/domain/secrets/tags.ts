import { InvalidParameterException } from "../../errors/catalog.js";
import type { Tag } from "./records.js";

export const maxTagsPerSecret = 50;

/**
 * A tag as a request carries it. The Secrets Manager model marks neither member required, so a
 * request may send `{}`: a missing Key is refused, a missing Value is stored as "" (as EC2 and IAM do).
 */
export interface RequestedTag {
  Key?: string | undefined;
  Value?: string | undefined;
}

function assertTagKey(key: string): void {
  if (key.toLowerCase().startsWith("aws:")) {
    throw new InvalidParameterException(
      `Tag key '${key}' is invalid: the prefix 'aws:' is reserved for AWS use.`,
    );
  }
}

/** Adds or overwrites tags by key, keeping the existing order of keys. */
export function mergeTags(existing: readonly Tag[], added: readonly RequestedTag[]): Tag[] {
  const byKey = new Map(existing.map((tag) => [tag.Key, tag.Value]));
  for (const tag of added) {
    if (typeof tag.Key !== "string") {
      throw new InvalidParameterException("Each tag needs a Key; a tag in this request has none.");
    }
    assertTagKey(tag.Key);
    byKey.set(tag.Key, typeof tag.Value === "string" ? tag.Value : "");
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
