import { searchWords } from "../ports/search-words.js";
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
 * ListSecrets (and BatchGetSecretValue) filters with AWS's semantics (API reference `Filter`, user
 * guide "Find secrets in Secrets Manager", and AWS's recorded answers):
 * - every filter must hold; a filter holds when ANY of its values does, and a value `!v` holds
 *   exactly when `v` does not (so `["one", "!two"]` keeps a secret described "one two");
 * - `name`, `tag-key`, `tag-value`, `primary-region`, `owning-service`: the attribute (some tag's
 *   key or value) starts with the value, case-sensitively; no splitting (`name: "a b"` is one prefix);
 * - `description`: the value is broken into words (`searchWords`) and each word must start some word
 *   of the description, ignoring case (`"a secret"` finds "an secret" but not "asecret");
 * - `all`: the same within ONE of the name, the description, a tag key or a tag value (AWS's
 *   announcement of the search: "secrets for" finds a secret whose name, tag key, tag value or
 *   description "includes both 'secrets' and 'for' in the same field");
 * - a value without words (`""`, `"/"`) matches nothing under `description` and `all`.
 * Coffer secrets are never owned by another service: `owning-service` matches none of them.
 */
export function matchesFilters(
  secret: SecretRecord,
  filters: SecretFilter[],
  primaryRegion: string,
): boolean {
  return filters.every((filter) =>
    filter.Values.some((value) =>
      value.startsWith("!")
        ? !valueMatches(secret, filter.Key, value.slice(1), primaryRegion)
        : valueMatches(secret, filter.Key, value, primaryRegion),
    ),
  );
}

/** Whether one (not negated) value of a filter matches the secret. */
function valueMatches(secret: SecretRecord, key: FilterKey, value: string, primaryRegion: string): boolean {
  switch (key) {
    case "name":
      return secret.name.startsWith(value);
    case "tag-key":
      return secret.tags.some((tag) => tag.Key.startsWith(value));
    case "tag-value":
      return secret.tags.some((tag) => tag.Value.startsWith(value));
    case "primary-region":
      // Each secret's own primary region: a replica's primary's, else the region it lives in.
      return (
        secret.replication?.role === "replica" ? secret.replication.primaryRegion : primaryRegion
      ).startsWith(value);
    case "owning-service":
      return false;
    case "description":
      return wordsMatch(searchWords(value), searchWords(secret.description ?? ""));
    case "all": {
      const wanted = searchWords(value);
      return searchableTexts(secret).some((text) => wordsMatch(wanted, searchWords(text)));
    }
  }
}

/** Each wanted word starts one of the words (at least one wanted: a value without words finds nothing). */
function wordsMatch(wanted: string[], words: string[]): boolean {
  return wanted.length > 0 && wanted.every((w) => words.some((word) => word.startsWith(w)));
}

/** The attributes the `all` filter searches, each on its own. */
function searchableTexts(secret: SecretRecord): string[] {
  const texts = [secret.name, secret.description ?? ""];
  for (const tag of secret.tags) texts.push(tag.Key, tag.Value);
  return texts;
}

/**
 * What the store can look up in its indexes for these filters: matches every secret that passes
 * `matchesFilters` must hold (the reader still checks each secret against the filters), or
 * `undefined` when no secret can pass. Values whose outcome is the same for every secret (a region,
 * the owning service, an empty name prefix, a value without words) are decided here.
 *
 * A negated value cannot use a prefix index (what does NOT start with a prefix is no range of it),
 * so a filter with a negated value that is not decided here gives no match: its secrets are found
 * by walking the sort order and checking each row, as an unfiltered page is.
 */
export function indexedMatches(filters: SecretFilter[], _scopeRegion: string): ListMatch[] | undefined {
  const matches: ListMatch[] = [];
  for (const filter of filters) {
    // Each value's outcome for every secret: true, false, or undefined (it depends on the secret).
    const open: string[] = [];
    let always = false;
    let negatedOpen = false;
    for (const raw of filter.Values) {
      const negated = raw.startsWith("!");
      const value = negated ? raw.slice(1) : raw;
      const same = sameForAll(filter.Key, value);
      if (same === undefined) {
        if (negated) negatedOpen = true;
        else open.push(value);
      } else if (same !== negated) always = true;
    }
    if (always || negatedOpen) continue;
    if (open.length === 0) return undefined;
    switch (filter.Key) {
      case "name":
      case "tag-key":
        matches.push({ field: filter.Key, prefixes: open });
        break;
      case "tag-value":
        // An empty value prefix matches every tagged secret (empty values are not indexed): any key will do.
        matches.push(
          open.includes("") ? { field: "tag-key", prefixes: [""] } : { field: "tag-value", prefixes: open },
        );
        break;
      case "description":
      case "all": {
        // Each word of a value must start a word (for `all`, of one attribute, which the reader's
        // check enforces; each word starting a word of SOME attribute is what the index can tell):
        // one value gives one match per word; several values, one match of alternatives (the
        // longest word of each value).
        const field = filter.Key === "all" ? "any" : "description";
        const words = open.map((v) => searchWords(v));
        if (words.length === 1) {
          for (const word of new Set(words[0])) matches.push({ field, prefixes: [word] });
        } else {
          const longest = words.map((w) => w.reduce((a, b) => (b.length > a.length ? b : a), ""));
          matches.push({ field, prefixes: [...new Set(longest)] });
        }
        break;
      }
      default:
        break;
    }
  }
  return matches;
}

/** Whether one value (without its `!`) matches every secret (true), none (false), or depends on the secret. */
function sameForAll(key: FilterKey, value: string): boolean | undefined {
  switch (key) {
    case "name":
      return value === "" ? true : undefined;
    case "description":
    case "all":
      return searchWords(value).length === 0 ? false : undefined;
    case "tag-key":
    case "tag-value":
      return undefined;
    case "primary-region":
      // A replica in this region may have any primary region: decided per secret (no index).
      return undefined;
    case "owning-service":
      return false;
  }
}
