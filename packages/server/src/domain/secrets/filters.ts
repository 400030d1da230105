import type { SecretRecord } from "./records.js";

export type FilterKey =
  | "description"
  | "name"
  | "tag-key"
  | "tag-value"
  | "primary-region"
  | "owning-service"
  | "all";

export interface SecretFilter {
  Key: FilterKey;
  Values: string[];
}

/**
 * ListSecrets filter semantics, as AWS documents them: values of one filter are alternatives, all
 * filters must hold, a value starting with `!` excludes what it matches. Matching is by prefix,
 * case-sensitive except for `description` and `all`.
 */
export function matchesFilters(
  secret: SecretRecord,
  filters: SecretFilter[],
  primaryRegion: string,
): boolean {
  return filters.every((filter) => matchesFilter(secret, filter, primaryRegion));
}

function matchesFilter(secret: SecretRecord, filter: SecretFilter, primaryRegion: string): boolean {
  const positive = filter.Values.filter((v) => !v.startsWith("!"));
  const negative = filter.Values.filter((v) => v.startsWith("!")).map((v) => v.slice(1));
  const matches = (value: string) => attributeMatches(secret, filter.Key, value, primaryRegion);
  if (negative.some(matches)) return false;
  return positive.length === 0 || positive.some(matches);
}

function attributeMatches(
  secret: SecretRecord,
  key: FilterKey,
  value: string,
  primaryRegion: string,
): boolean {
  switch (key) {
    case "name":
      return secret.name.startsWith(value);
    case "description":
      return (secret.description ?? "").toLowerCase().startsWith(value.toLowerCase());
    case "tag-key":
      return secret.tags.some((tag) => tag.Key.startsWith(value));
    case "tag-value":
      return secret.tags.some((tag) => tag.Value.startsWith(value));
    case "primary-region":
      return primaryRegion.startsWith(value);
    case "owning-service":
      // Coffer secrets are never owned by another service.
      return false;
    case "all":
      return value
        .toLowerCase()
        .split(/\s+/)
        .filter((word) => word.length > 0)
        .every((word) => searchableText(secret, primaryRegion).some((text) => text.startsWith(word)));
  }
}

function searchableText(secret: SecretRecord, primaryRegion: string): string[] {
  return [
    secret.name,
    secret.description ?? "",
    primaryRegion,
    ...secret.tags.flatMap((tag) => [tag.Key, tag.Value]),
  ].map((text) => text.toLowerCase());
}
