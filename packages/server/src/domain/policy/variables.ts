/**
 * Policy variables (`${aws:username}`, `${aws:PrincipalTag/team, 'none'}`, `${*}`, `${?}`, `${$}`)
 * in Resource / NotResource and in the values of the String* and Arn* operators, for policies with
 * `"Version": "2012-10-17"`. Older or unversioned policies keep the text literally, as IAM does.
 *
 * Semantics:
 * - a variable resolves to the single value of its context key (keys are case-insensitive);
 * - a key that is missing, or carries several values, falls back to the default (`, 'text'`) and
 *   otherwise leaves the variable unresolved: the whole pattern then matches nothing (so a
 *   NotResource / negated-operator pattern excludes nothing), matching AWS's "no value" rule;
 * - a substituted value is always literal text: a user named `a*` does not become a wildcard;
 * - `${*}`, `${?}` and `${$}` are the literal characters `*`, `?` and `$`.
 */
import { type GlobPiece, globPieces } from "./wildcard.js";

export type TemplatePart =
  | { readonly text: string }
  | { readonly key: string; readonly fallback?: string }
  | { readonly literal: string };

/** A value with at least one variable; `undefined` from `parseTemplate` means "plain text". */
export type Template = readonly TemplatePart[];

/** One request context value: a string, or several (multi-valued keys such as aws:TagKeys). */
export type ContextValue = string | readonly string[];

/** Reads a request context key (lower-case) to its value(s), or undefined when absent. */
export type ContextLookup = (lowerKey: string) => ContextValue | undefined;

const variablePattern = /\$\{([^}]*)\}/g;
const fallbackPattern = /^\s*([^,]+?)\s*,\s*'([^']*)'\s*$/;

/** Splits text into literal and variable parts; undefined when it contains no variable. */
export function parseTemplate(text: string): Template | undefined {
  if (!text.includes("${")) return undefined;
  const parts: TemplatePart[] = [];
  let last = 0;
  let found = false;
  for (const match of text.matchAll(variablePattern)) {
    const body = (match[1] as string).trim();
    const index = match.index ?? 0;
    let part: TemplatePart | undefined;
    if (body === "*" || body === "?" || body === "$") part = { literal: body };
    else {
      const withFallback = fallbackPattern.exec(body);
      const key = withFallback ? (withFallback[1] as string) : body;
      if (key.length > 0 && !/[\s{}$]/.test(key)) {
        part = withFallback
          ? { key: key.toLowerCase(), fallback: withFallback[2] as string }
          : { key: key.toLowerCase() };
      }
    }
    if (!part) continue; // not a variable IAM recognizes: keep the text as written
    if (index > last) parts.push({ text: text.slice(last, index) });
    parts.push(part);
    last = index + match[0].length;
    found = true;
  }
  if (!found) return undefined;
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

function resolvePart(
  part: Exclude<TemplatePart, { text: string }>,
  lookup: ContextLookup,
): string | undefined {
  if ("literal" in part) return part.literal;
  const values = lookup(part.key);
  if (typeof values === "string") return values;
  if (values && values.length === 1) return values[0];
  return part.fallback;
}

/** Substitutes variables for exact comparison; undefined when a variable does not resolve. */
export function resolveText(template: Template, lookup: ContextLookup): string | undefined {
  let out = "";
  for (const part of template) {
    if ("text" in part) out += part.text;
    else {
      const value = resolvePart(part, lookup);
      if (value === undefined) return undefined;
      out += value;
    }
  }
  return out;
}

/** The substitutions for a template's variables, in order; undefined when one does not resolve. */
export function resolveVariables(template: Template, lookup: ContextLookup): string[] | undefined {
  const resolved: string[] = [];
  for (const part of template) {
    if ("text" in part) continue;
    const value = resolvePart(part, lookup);
    if (value === undefined) return undefined;
    resolved.push(value);
  }
  return resolved;
}

/**
 * The wildcard pieces of a template given its substitutions (from `resolveVariables`): the
 * template's own text keeps its wildcards, the substituted values are literal.
 */
export function piecesWith(template: Template, resolved: readonly string[]): GlobPiece[] {
  const pieces: GlobPiece[] = [];
  let next = 0;
  for (const part of template) {
    if ("text" in part) pieces.push(...globPieces(part.text));
    else {
      const value = resolved[next++] as string;
      if (value.length > 0) pieces.push({ literal: value });
    }
  }
  return pieces;
}
