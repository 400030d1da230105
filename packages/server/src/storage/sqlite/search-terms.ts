import { searchWords } from "../../domain/ports/search-words.js";
import type { ListMatch } from "../../domain/ports/secret-store.js";
import type { Tag } from "../../domain/secrets/records.js";

/**
 * The `secret_terms` index of ListSecrets filters: one row per (text, kind, secret), so a prefix
 * filter is one B-tree range. `kind` = field * 4 + role, where role 1 means "the exact text" (the
 * case-sensitive filters `tag-key` and `tag-value`) and role 2 "a word of the text" (`searchWords`,
 * lowercased: the `description` and `all` filters); a text that is its own only word (a lowercase
 * tag key such as `env`) is stored once with both roles (3). Names are matched case-sensitively
 * through the secrets table's own (region, name) index, so only their words are stored here.
 * (Schema v4 to v7 stored role 2 as the whole text lowercased; v8 rebuilt the rows as words.)
 */
const field = { name: 0, description: 1, tagKey: 2, tagValue: 3 } as const;
const EXACT = 1;
const WORD = 2;

export interface SearchTerm {
  term: string;
  kind: number;
}

export function searchTermsOf(secret: { name: string; description: string | undefined; tags: Tag[] }) {
  // Per field, each term's roles.
  const roles = new Map<number, Map<string, number>>();
  const add = (f: number, term: string, role: number) => {
    if (term.length === 0) return;
    const terms = roles.get(f) ?? new Map<string, number>();
    roles.set(f, terms);
    terms.set(term, (terms.get(term) ?? 0) | role);
  };
  const words = (f: number, text: string) => {
    for (const word of searchWords(text)) add(f, word, WORD);
  };
  words(field.name, secret.name);
  words(field.description, secret.description ?? "");
  for (const tag of secret.tags) {
    add(field.tagKey, tag.Key, EXACT);
    words(field.tagKey, tag.Key);
    add(field.tagValue, tag.Value, EXACT);
    words(field.tagValue, tag.Value);
  }
  const terms: SearchTerm[] = [];
  for (const [f, byTerm] of roles)
    for (const [term, role] of byTerm) terms.push({ term, kind: f * 4 + role });
  return terms;
}

/** The kinds a match over this attribute looks at (`name` uses the secrets table instead). */
export function kindsOf(matchField: Exclude<ListMatch["field"], "name">): number[] {
  const withRole = (f: number, role: number) => [f * 4 + role, f * 4 + (EXACT | WORD)];
  switch (matchField) {
    case "tag-key":
      return withRole(field.tagKey, EXACT);
    case "tag-value":
      return withRole(field.tagValue, EXACT);
    case "description":
      return [field.description * 4 + WORD];
    case "any":
      return [
        field.name * 4 + WORD,
        field.description * 4 + WORD,
        ...withRole(field.tagKey, WORD),
        ...withRole(field.tagValue, WORD),
      ];
  }
}

/**
 * The least string greater than every string starting with `prefix` (in code point order, which is
 * SQLite's BINARY order of UTF-8), or undefined when there is none (an empty prefix, or one made of
 * U+10FFFF only). Strings s with prefix <= s < upper are exactly those starting with `prefix`.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = [...prefix].map((c) => c.codePointAt(0) ?? 0);
  while (points.length > 0) {
    const last = (points.pop() ?? 0) + 1;
    if (last > 0x10ffff) continue;
    points.push(last === 0xd800 ? 0xe000 : last);
    return String.fromCodePoint(...points);
  }
  return undefined;
}

/** Whether SQLite compares this string as JavaScript does (no lone surrogates, which UTF-8 cannot hold). */
export function isWellFormed(text: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

/**
 * Whether a secret may hold this match, checked on the row itself: true for every secret the
 * `secret_terms` index lists under the match (a stored term is a non-empty text or word of the row,
 * so its prefix test here is the same), and possibly for a few more (empty texts), which the
 * domain's own filter check rejects. Never false for a secret the index would list.
 */
export function mayHold(
  match: ListMatch,
  secret: { name: string; description: string | undefined; tags: Tag[] },
): boolean {
  const starts = (text: string) => match.prefixes.some((p) => text.startsWith(p));
  const wordStarts = (text: string) => searchWords(text).some(starts);
  switch (match.field) {
    case "name":
      return starts(secret.name);
    case "tag-key":
      return secret.tags.some((t) => starts(t.Key));
    case "tag-value":
      return secret.tags.some((t) => starts(t.Value));
    case "description":
      return wordStarts(secret.description ?? "");
    case "any":
      return (
        wordStarts(secret.name) ||
        wordStarts(secret.description ?? "") ||
        secret.tags.some((t) => wordStarts(t.Key) || wordStarts(t.Value))
      );
  }
}
