import type { SecretFilter } from "./filters.js";
import type { SecretRecord } from "./records.js";

/**
 * A deliberately plain second reading of AWS's ListSecrets filter rules, written apart from
 * filters.ts and search-words.ts (no shared code), for property tests to compare both the domain's
 * check and the store's indexed plan against:
 * - all filters hold; a filter holds if one of its values holds; `!v` holds iff `v` does not;
 * - name / tag-key / tag-value / primary-region: case-sensitive prefix of the whole attribute;
 * - owning-service: never (Coffer secrets have no owning service);
 * - description / all: the value's words each start a word of the description (all: of one of the
 *   name, the description, a tag key, a tag value), ignoring case; a value without words holds for none.
 * Words: runs of letters and digits, cut where a lowercase letter meets an uppercase one after it,
 * or a letter meets a digit; compared lowercased.
 */
export function referenceMatches(secret: SecretRecord, filters: SecretFilter[], region: string): boolean {
  for (const filter of filters) {
    let holds = false;
    for (const value of filter.Values) {
      const negated = value[0] === "!";
      const plain = negated ? value.substring(1) : value;
      if (plainHolds(secret, filter.Key, plain, region) !== negated) holds = true;
    }
    if (!holds) return false;
  }
  return true;
}

function plainHolds(secret: SecretRecord, key: SecretFilter["Key"], value: string, region: string): boolean {
  const prefixOf = (text: string) => text.substring(0, value.length) === value;
  if (key === "name") return prefixOf(secret.name);
  if (key === "tag-key") return secret.tags.some((t) => prefixOf(t.Key));
  if (key === "tag-value") return secret.tags.some((t) => prefixOf(t.Value));
  if (key === "primary-region") {
    return prefixOf(secret.replication?.role === "replica" ? secret.replication.primaryRegion : region);
  }
  if (key === "owning-service") return false;
  const texts =
    key === "description"
      ? [secret.description ?? ""]
      : [
          secret.name,
          secret.description ?? "",
          ...secret.tags.map((t) => t.Key),
          ...secret.tags.map((t) => t.Value),
        ];
  const needles = wordsOf(value);
  if (needles.length === 0) return false;
  // One text must hold every word (for description there is only the one).
  return texts.some((text) => {
    const haystack = wordsOf(text);
    for (const needle of needles) {
      if (!haystack.some((word) => word.substring(0, needle.length) === needle)) return false;
    }
    return true;
  });
}

type CharClass = "lower" | "upper" | "letter" | "digit" | "other";

function classOf(ch: string): CharClass {
  if (/\p{Ll}/u.test(ch)) return "lower";
  if (/\p{Lu}/u.test(ch)) return "upper";
  if (/\p{L}/u.test(ch)) return "letter";
  if (/\p{N}/u.test(ch)) return "digit";
  return "other";
}

export function wordsOf(text: string): string[] {
  const words: string[] = [];
  let current = "";
  let previous: CharClass = "other";
  for (const ch of Array.from(text)) {
    const now = classOf(ch);
    const isLetter = (c: CharClass) => c === "lower" || c === "upper" || c === "letter";
    const cut =
      now === "other" ||
      (previous === "lower" && now === "upper") ||
      (isLetter(previous) && now === "digit") ||
      (previous === "digit" && isLetter(now));
    if (cut && current !== "") {
      words.push(current.toLowerCase());
      current = "";
    }
    if (now !== "other") current += ch;
    previous = now;
  }
  if (current !== "") words.push(current.toLowerCase());
  return words;
}
