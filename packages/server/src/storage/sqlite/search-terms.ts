import type { ListMatch } from "../../domain/ports/secret-store.js";
import type { Tag } from "../../domain/secrets/records.js";

/**
 * The `secret_terms` index of ListSecrets filters: one row per (text, kind, secret), so a prefix
 * filter is one B-tree range. `kind` = field * 4 + role, where role 1 means "the exact text" (the
 * case-sensitive filters `tag-key` and `tag-value`) and role 2 "the text lowercased" (`description`
 * and `all`); a text already in lowercase is stored once with both roles (3). Names are matched
 * case-sensitively through the secrets table's own (region, name) index, so only their lowercased
 * form is stored here. Lowercasing is JavaScript's, exactly as the domain's filters lowercase.
 */
const field = { name: 0, description: 1, tagKey: 2, tagValue: 3 } as const;
const EXACT = 1;
const LOWER = 2;

export interface SearchTerm {
  term: string;
  kind: number;
}

export function searchTermsOf(secret: { name: string; description: string | undefined; tags: Tag[] }) {
  const terms = new Map<string, SearchTerm>();
  const add = (term: string, kind: number) => {
    if (term.length > 0) terms.set(`${kind}\u0000${term}`, { term, kind });
  };
  const both = (text: string, f: number) => {
    const lower = text.toLowerCase();
    if (lower === text) add(text, f * 4 + (EXACT | LOWER));
    else {
      add(text, f * 4 + EXACT);
      add(lower, f * 4 + LOWER);
    }
  };
  add(secret.name.toLowerCase(), field.name * 4 + LOWER);
  add((secret.description ?? "").toLowerCase(), field.description * 4 + LOWER);
  for (const tag of secret.tags) {
    both(tag.Key, field.tagKey);
    both(tag.Value, field.tagValue);
  }
  return [...terms.values()];
}

/** The kinds a match over this attribute looks at (`name` uses the secrets table instead). */
export function kindsOf(matchField: Exclude<ListMatch["field"], "name">): number[] {
  const withRole = (f: number, role: number) => [f * 4 + role, f * 4 + (EXACT | LOWER)];
  switch (matchField) {
    case "tag-key":
      return withRole(field.tagKey, EXACT);
    case "tag-value":
      return withRole(field.tagValue, EXACT);
    case "description":
      return [field.description * 4 + LOWER];
    case "any":
      return [
        field.name * 4 + LOWER,
        field.description * 4 + LOWER,
        ...withRole(field.tagKey, LOWER),
        ...withRole(field.tagValue, LOWER),
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
 * `secret_terms` index lists under the match (a stored term is a non-empty text of the row, so its
 * prefix test here is the same), and possibly for a few more (empty texts), which the domain's own
 * filter check rejects. Never false for a secret the index would list.
 */
export function mayHold(
  match: ListMatch,
  secret: { name: string; description: string | undefined; tags: Tag[] },
): boolean {
  const starts = (text: string) => match.prefixes.some((p) => text.startsWith(p));
  switch (match.field) {
    case "name":
      return starts(secret.name);
    case "tag-key":
      return secret.tags.some((t) => starts(t.Key));
    case "tag-value":
      return secret.tags.some((t) => starts(t.Value));
    case "description":
      return starts((secret.description ?? "").toLowerCase());
    case "any":
      return (
        starts(secret.name.toLowerCase()) ||
        starts((secret.description ?? "").toLowerCase()) ||
        secret.tags.some((t) => starts(t.Key.toLowerCase()) || starts(t.Value.toLowerCase()))
      );
  }
}
