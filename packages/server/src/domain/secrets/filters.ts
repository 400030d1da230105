import type { ListMatch } from "../ports/secret-store.js";
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

/**
 * What the store can look up in its indexes for these filters: matches every secret that passes
 * `matchesFilters` must hold (the reader still checks each secret against the filters), or
 * `undefined` when no secret can pass. Values whose outcome is the same for every secret (a region,
 * the owning service, an empty prefix) are decided here; negations are left to the check.
 */
export function indexedMatches(filters: SecretFilter[], primaryRegion: string): ListMatch[] | undefined {
  const matches: ListMatch[] = [];
  for (const filter of filters) {
    const positive = filter.Values.filter((v) => !v.startsWith("!"));
    const negative = filter.Values.filter((v) => v.startsWith("!")).map((v) => v.slice(1));
    if (negative.some((v) => sameForAll(filter.Key, v, primaryRegion) === true)) return undefined;
    if (positive.length === 0) continue;
    const outcomes = positive.map((v) => sameForAll(filter.Key, v, primaryRegion));
    if (outcomes.includes(true)) continue;
    if (outcomes.every((o) => o === false)) return undefined;
    const open = positive.filter((_, i) => outcomes[i] === undefined);
    switch (filter.Key) {
      case "name":
      case "tag-key":
        matches.push({ field: filter.Key, prefixes: open });
        break;
      case "tag-value":
        // An empty value prefix matches every tagged secret: any tag key will do.
        matches.push(
          open.includes("") ? { field: "tag-key", prefixes: [""] } : { field: "tag-value", prefixes: open },
        );
        break;
      case "description":
        matches.push({ field: "description", prefixes: open.map((v) => v.toLowerCase()) });
        break;
      case "all": {
        // Each word must start some attribute: one value gives one match per word; several values,
        // one match of alternatives (the longest word of each value that the region does not give).
        const words = open.map((v) => openWords(v, primaryRegion));
        if (words.length === 1) {
          for (const word of words[0] ?? []) matches.push({ field: "any", prefixes: [word] });
        } else {
          const longest = words.map((w) => w.reduce((a, b) => (b.length > a.length ? b : a), ""));
          matches.push({ field: "any", prefixes: longest });
        }
        break;
      }
      default:
        break;
    }
  }
  return matches;
}

/** Words of an `all` value that the region does not satisfy on its own. */
function openWords(value: string, primaryRegion: string): string[] {
  const region = primaryRegion.toLowerCase();
  return value
    .toLowerCase()
    .split(/\s+/)
    .filter((word) => word.length > 0 && !region.startsWith(word));
}

/** Whether one filter value matches every secret (true), none (false), or depends on the secret. */
function sameForAll(key: FilterKey, value: string, primaryRegion: string): boolean | undefined {
  switch (key) {
    case "name":
      return value === "" ? true : undefined;
    case "description":
      return value.toLowerCase() === "" ? true : undefined;
    case "tag-key":
    case "tag-value":
      return undefined;
    case "primary-region":
      return primaryRegion.startsWith(value);
    case "owning-service":
      return false;
    case "all":
      return openWords(value, primaryRegion).length === 0 ? true : undefined;
  }
}
