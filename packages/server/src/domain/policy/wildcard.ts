/**
 * Wildcard matching for the IAM policy language: `*` matches any run of characters (also none) and
 * `?` exactly one. IAM has no escape character: a policy cannot say "a literal star" except through
 * the `${*}` policy variable, which this module models with literal tokens.
 *
 * Patterns are compiled once into a small token program. Matching is a set-of-states simulation,
 * O(value length × live states), so no pattern a tenant writes can make a match backtrack
 * exponentially (a regex built from `*a*a*a*…` could). Common shapes take fast paths: a literal is
 * one string comparison, `*` is constant true, `prefix*` is `startsWith`, `*suffix` is `endsWith`,
 * and any pattern whose only wildcard is an unbounded `*` is a left-to-right `indexOf` scan.
 *
 * ARN mode (Resource, NotResource, the Arn* condition operators): `?` and a `*` inside a segment
 * do not match `:`, but a `*` that ends a segment (followed by `:` or by the end of the pattern) may
 * run past colons, as AWS documents for the Resource element. So `arn:aws:secretsmanager:*` matches
 * every secret, while `arn:aws:secretsmanager:us-*-1:…` cannot swallow the account segment.
 */

/** A token program: a code unit ≥ 0 is a literal; the negative constants are wildcards. */
export type GlobTokens = Int32Array;

const STAR = -1;
const STAR_IN_SEGMENT = -2;
const ONE = -3;
const ONE_IN_SEGMENT = -4;
const COLON = 58;
const ASTERISK = 42;
const QUESTION = 63;

export type Matcher = (value: string) => boolean;

export interface GlobOptions {
  /** Compare without regard to ASCII/Unicode case (actions). The value must be lower-cased by the caller. */
  readonly ignoreCase?: boolean;
  /** ARN semantics: wildcards stay within a colon-delimited segment unless a `*` ends the segment. */
  readonly arn?: boolean;
}

/** A pattern under construction: literal runs and wildcards, in order. */
export type GlobPiece = { readonly literal: string } | { readonly wildcard: "*" | "?" };

/** Splits IAM wildcard text into pieces (`*` and `?` are wildcards, everything else literal). */
export function globPieces(pattern: string): GlobPiece[] {
  const pieces: GlobPiece[] = [];
  let start = 0;
  for (let i = 0; i < pattern.length; i++) {
    const code = pattern.charCodeAt(i);
    if (code !== ASTERISK && code !== QUESTION) continue;
    if (i > start) pieces.push({ literal: pattern.slice(start, i) });
    pieces.push({ wildcard: code === ASTERISK ? "*" : "?" });
    start = i + 1;
  }
  if (start < pattern.length) pieces.push({ literal: pattern.slice(start) });
  return pieces;
}

/** Builds the token program for pieces; in ARN mode it decides which stars may cross a colon. */
export function tokensOf(pieces: readonly GlobPiece[], options: GlobOptions = {}): GlobTokens {
  let length = 0;
  for (const piece of pieces) length += "literal" in piece ? piece.literal.length : 1;
  const tokens = new Int32Array(length);
  let at = 0;
  for (const piece of pieces) {
    if ("wildcard" in piece) {
      tokens[at++] = piece.wildcard === "*" ? STAR : ONE;
      continue;
    }
    const text = options.ignoreCase ? piece.literal.toLowerCase() : piece.literal;
    for (let i = 0; i < text.length; i++) tokens[at++] = text.charCodeAt(i);
  }
  if (options.arn) {
    for (let i = 0; i < length; i++) {
      if (tokens[i] === ONE) tokens[i] = ONE_IN_SEGMENT;
      else if (tokens[i] === STAR) {
        const next = i + 1 < length ? tokens[i + 1] : COLON;
        if (next !== COLON && next !== STAR) tokens[i] = STAR_IN_SEGMENT;
      }
    }
  }
  return tokens;
}

/**
 * Runs a token program over a value: the set of live pattern positions advances one code unit at a
 * time. `scratch` holds two position lists and a generation mark per position.
 */
function runTokens(tokens: GlobTokens, value: string, scratch: Scratch): boolean {
  const m = tokens.length;
  let current = scratch.a;
  let next = scratch.b;
  const mark = scratch.mark;
  let generation = ++scratch.generation;
  if (generation > 0x3fffffff) {
    mark.fill(0);
    scratch.generation = generation = 1;
  }
  let count = addState(tokens, 0, current, 0, mark, generation);
  for (let j = 0; j < value.length && count > 0; j++) {
    const code = value.charCodeAt(j);
    generation = ++scratch.generation;
    let nextCount = 0;
    for (let k = 0; k < count; k++) {
      const position = current[k] as number;
      if (position === m) continue;
      const token = tokens[position] as number;
      if (token >= 0) {
        if (token === code) nextCount = addState(tokens, position + 1, next, nextCount, mark, generation);
      } else if (token === STAR || (token === STAR_IN_SEGMENT && code !== COLON)) {
        nextCount = addState(tokens, position, next, nextCount, mark, generation);
      } else if (token === ONE || (token === ONE_IN_SEGMENT && code !== COLON)) {
        nextCount = addState(tokens, position + 1, next, nextCount, mark, generation);
      }
    }
    const swap = current;
    current = next;
    next = swap;
    count = nextCount;
  }
  for (let k = 0; k < count; k++) if (current[k] === m) return true;
  return false;
}

/** Adds a position and, through stars (which may match nothing), the positions after them. */
function addState(
  tokens: GlobTokens,
  position: number,
  list: Int32Array,
  count: number,
  mark: Uint32Array,
  generation: number,
): number {
  let p = position;
  while (true) {
    if (mark[p] === generation) return count;
    mark[p] = generation;
    list[count++] = p;
    if (p === tokens.length) return count;
    const token = tokens[p];
    if (token !== STAR && token !== STAR_IN_SEGMENT) return count;
    p++;
  }
}

interface Scratch {
  a: Int32Array;
  b: Int32Array;
  mark: Uint32Array;
  generation: number;
}

function scratchFor(tokens: GlobTokens): Scratch {
  const size = tokens.length + 1;
  return { a: new Int32Array(size), b: new Int32Array(size), mark: new Uint32Array(size), generation: 0 };
}

/** Compiles a token program into the fastest matcher for its shape. */
export function compileTokens(tokens: GlobTokens): Matcher {
  let wildcards = 0;
  let firstWildcard = -1;
  for (let i = 0; i < tokens.length; i++) {
    if ((tokens[i] as number) < 0) {
      wildcards++;
      if (firstWildcard === -1) firstWildcard = i;
    }
  }
  if (wildcards === 0) {
    const literal = String.fromCharCode(...tokens);
    return (value) => value === literal;
  }
  if (tokens.length === 1 && tokens[0] === STAR) return () => true;
  if (wildcards === 1 && tokens[0] === STAR) {
    const suffix = String.fromCharCode(...tokens.subarray(1));
    return (value) => value.endsWith(suffix);
  }
  if (wildcards === 1 && firstWildcard === tokens.length - 1 && tokens[firstWildcard] === STAR) {
    const prefix = String.fromCharCode(...tokens.subarray(0, firstWildcard));
    return (value) => value.startsWith(prefix);
  }
  let onlyStars = true;
  for (let i = 0; i < tokens.length && onlyStars; i++) {
    const token = tokens[i] as number;
    if (token < 0 && token !== STAR) onlyStars = false;
  }
  if (onlyStars) return starsOnly(tokens);
  const scratch = scratchFor(tokens);
  return (value) => runTokens(tokens, value, scratch);
}

/**
 * Patterns whose only wildcard is an unbounded `*` (most action and ARN patterns): literal chunks
 * found left to right, the first anchored at the start and the last at the end. Taking each middle
 * chunk at its leftmost position is optimal, so this is exact.
 */
function starsOnly(tokens: GlobTokens): Matcher {
  const chunks: string[] = [];
  let current: number[] = [];
  for (const token of tokens) {
    if (token === STAR) {
      chunks.push(String.fromCharCode(...current));
      current = [];
    } else current.push(token);
  }
  chunks.push(String.fromCharCode(...current));
  const prefix = chunks[0] as string;
  const suffix = chunks[chunks.length - 1] as string;
  const middle = chunks.slice(1, -1).filter((chunk) => chunk.length > 0);
  const minimum = prefix.length + suffix.length;
  return (value) => {
    if (value.length < minimum || !value.startsWith(prefix) || !value.endsWith(suffix)) return false;
    let at = prefix.length;
    const end = value.length - suffix.length;
    for (const chunk of middle) {
      const found = value.indexOf(chunk, at);
      if (found === -1 || found + chunk.length > end) return false;
      at = found + chunk.length;
    }
    return true;
  };
}

/** Compiles one IAM wildcard pattern. */
export function compileGlob(pattern: string, options: GlobOptions = {}): Matcher {
  return compileTokens(tokensOf(globPieces(pattern), options));
}

/**
 * Compiles patterns into one matcher that is true when any pattern matches. Literal patterns go
 * into a Set; a bare `*` short-circuits to constant true.
 */
export function compileGlobSet(patterns: readonly string[], options: GlobOptions = {}): Matcher {
  const literals = new Set<string>();
  const others: Matcher[] = [];
  for (const pattern of patterns) {
    if (pattern === "*") return () => true;
    if (!hasWildcard(pattern)) {
      literals.add(options.ignoreCase ? pattern.toLowerCase() : pattern);
      continue;
    }
    others.push(compileGlob(pattern, options));
  }
  if (others.length === 0) {
    if (literals.size === 1) {
      const [only] = literals;
      return (value) => value === only;
    }
    return (value) => literals.has(value);
  }
  if (literals.size === 0 && others.length === 1) return others[0] as Matcher;
  return (value) => {
    if (literals.has(value)) return true;
    for (const matcher of others) if (matcher(value)) return true;
    return false;
  };
}

/** One-off convenience: does `value` match the IAM wildcard `pattern`? */
export function wildcardMatch(pattern: string, value: string, options: GlobOptions = {}): boolean {
  return compileGlob(pattern, options)(options.ignoreCase ? value.toLowerCase() : value);
}

/** True when the text contains an IAM wildcard character. */
export function hasWildcard(text: string): boolean {
  return text.includes("*") || text.includes("?");
}
