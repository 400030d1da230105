/**
 * Turns the service model's `pattern` strings — Java regular expressions — into JS RegExps.
 *
 * AWS evaluates these with Java's `Matcher.matches()`, i.e. the whole value must match even when
 * the pattern has no anchors (IAM rejects the role name "a b" against the unanchored `[\w+=,.@-]+`).
 * We reproduce that by wrapping every pattern as `^(?:…)$`.
 *
 * The `u` flag is used only when every pattern compiles with it: without `u`, JS accepts Java's
 * identity escapes such as `\!` and `\=` (present in Secrets Manager's model), and `\w`/`\d` are
 * ASCII-only in both languages. A model that needs `u` for Unicode categories (`\p{L}`, in STS's)
 * but also escapes punctuation JS refuses under `u` (`\:`) has those escapes spelled `\u003a`, which
 * both languages read as the same literal. Java-only constructs that JS would silently read
 * differently are rejected, so a future model update fails at startup instead of validating wrongly.
 */

export interface CompiledPatterns {
  /** The flags every pattern was compiled with. */
  readonly flags: "u" | "";
  /** Model pattern source → full-match RegExp. */
  readonly byPattern: ReadonlyMap<string, RegExp>;
}

export function compileJavaPatterns(patterns: Iterable<string>): CompiledPatterns {
  const sources = [...new Set(patterns)];
  let flags: "u" | "" = sources.every(compilesWithUnicodeFlag) ? "u" : "";
  let spelled = (source: string) => source;
  if (flags === "" && sources.some(needsUnicodeFlag)) {
    const respelled = sources.map(spellPunctuationEscapes);
    if (respelled.every(compilesWithUnicodeFlag)) {
      flags = "u";
      spelled = spellPunctuationEscapes;
    }
  }
  const byPattern = new Map<string, RegExp>();
  for (const source of sources) {
    const unsupported = findJavaOnlyConstruct(spelled(source), flags);
    if (unsupported !== undefined) {
      throw new Error(
        `Model pattern ${source} uses ${unsupported}, which JavaScript cannot evaluate as Java does`,
      );
    }
    byPattern.set(source, new RegExp(`^(?:${spelled(source)})$`, flags));
  }
  return { flags, byPattern };
}

/** Unicode property escapes: JS reads them only under `u`. */
function needsUnicodeFlag(source: string): boolean {
  return /\\[pP]\{/.test(source);
}

/** Characters JS's `u` mode lets a backslash escape; any other escaped punctuation is Java's literal. */
const unicodeModeSyntax = new Set([..."^$\\.*+?()[]{}|/"]);

/**
 * Java reads a backslash before any non-alphanumeric character as that character; JS under `u`
 * refuses most of them (`\:`, `\!`). `\u00XX` means the same literal to both.
 */
export function spellPunctuationEscapes(source: string): string {
  let out = "";
  for (let i = 0; i < source.length; i++) {
    const char = source[i] as string;
    const next = source[i + 1];
    if (char !== "\\" || next === undefined) {
      out += char;
      continue;
    }
    i++;
    const code = next.charCodeAt(0);
    const punctuation = code < 0x80 && !/[A-Za-z0-9]/.test(next);
    out +=
      punctuation && !unicodeModeSyntax.has(next) ? `\\u${code.toString(16).padStart(4, "0")}` : `\\${next}`;
  }
  return out;
}

function compilesWithUnicodeFlag(source: string): boolean {
  try {
    new RegExp(source, "u");
    return true;
  } catch {
    return false;
  }
}

/** Escapes whose meaning differs between Java and JS without `u` (JS reads most as a literal letter). */
const JAVA_ONLY_ESCAPES = new Set(["A", "Z", "z", "G", "Q", "E", "h", "H", "R", "X", "p", "P"]);
/** With `u`, JS understands `\p{…}` itself and rejects anything it does not know at compile time. */
const UNICODE_MODE_ESCAPES = new Set(["p", "P"]);

/** Unicode general categories by their short names, which Java and JS read alike. */
const generalCategory = /^(?:L[ultmo]?|M[nce]?|N[dlo]?|P[cdseifo]?|S[mcko]?|Z[slp]?|C[cfsno]?)$/;

/** Returns a description of the first Java-only construct in `source`, if any. */
export function findJavaOnlyConstruct(source: string, flags: "u" | ""): string | undefined {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    const next = source[i + 1];
    if (char === "\\") {
      if (
        next !== undefined &&
        JAVA_ONLY_ESCAPES.has(next) &&
        !(flags === "u" && UNICODE_MODE_ESCAPES.has(next))
      ) {
        return `the escape \\${next}`;
      }
      i++; // the escaped character is never syntax
      // Skip a property name such as \p{L}, so its closing brace is not taken for a quantifier.
      if ((next === "p" || next === "P") && source[i + 1] === "{") {
        const close = source.indexOf("}", i + 1);
        if (close !== -1) {
          // A general category (L, Lu, Z, N, …) means the same in both; Java's other names do not
          // (its \p{Alpha} is ASCII letters, JS's every alphabetic character).
          const name = source.slice(i + 2, close);
          if (!generalCategory.test(name)) return `the escape \\${next}{${name}}`;
          i = close;
        }
      }
      continue;
    }
    if (inClass) {
      if (char === "]") inClass = false;
      else if (char === "[") return "a nested character class";
      else if (char === "&" && next === "&") return "character class intersection (&&)";
      continue;
    }
    if (char === "[") {
      inClass = true;
      if (next === "^") i++;
      // Java reads `[]…]` as a class containing `]`; JS reads `[]` as an empty class.
      if (source[i + 1] === "]") return "a ']' at the start of a character class";
    } else if (char === "(" && next === "?") {
      const kind = source[i + 2] ?? "";
      if (kind === ">") return "an atomic group (?>…)";
      if (/[a-zA-Z-]/.test(kind)) return "inline flags (?…)";
    } else if ((char === "*" || char === "+" || char === "?" || char === "}") && next === "+") {
      return "a possessive quantifier";
    }
  }
  return undefined;
}
