/**
 * Wording of validation and serialization errors, matching AWS's Coral messages, e.g.
 *   1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null
 *
 * Echoed values are bounded (long input must not produce long messages or logs) and values of
 * sensitive shapes are never echoed: "Value at 'secretString' failed to satisfy constraint: …".
 */

/** How many issues a ValidationException lists; the count in its header still covers them all. */
export const MAX_LISTED_ISSUES = 10;
/** Echoed values longer than this many UTF-16 code units are cut and marked with "...". */
export const MAX_ECHOED_VALUE_LENGTH = 64;

export const constraint = {
  notNull: "Member must not be null",
  lengthAtMost: (max: number) => `Member must have length less than or equal to ${max}`,
  lengthAtLeast: (min: number) => `Member must have length greater than or equal to ${min}`,
  valueAtMost: (max: number) => `Member must have value less than or equal to ${max}`,
  valueAtLeast: (min: number) => `Member must have value greater than or equal to ${min}`,
  pattern: (pattern: string) => `Member must satisfy regular expression pattern: ${pattern}`,
  enumValues: (values: readonly string[]) => `Member must satisfy enum value set: [${values.join(", ")}]`,
} as const;

/** One entry of a ValidationException message. `echo: false` keeps the value out of the text. */
export function formatIssue(path: string, value: unknown, echo: boolean, failed: string): string {
  const shown = echo ? `Value ${echoValue(value)} ` : "Value ";
  return `${shown}at '${path}' failed to satisfy constraint: ${failed}`;
}

export function formatValidationMessage(issueCount: number, listed: readonly string[]): string {
  const noun = issueCount === 1 ? "error" : "errors";
  return `${issueCount} validation ${noun} detected: ${listed.join("; ")}`;
}

/** AWS shows null bare and everything else quoted, using Java's toString for lists and maps. */
export function echoValue(value: unknown): string {
  if (value === null || value === undefined) return "null";
  return `'${bound(javaToString(value, MAX_ECHOED_VALUE_LENGTH + 1))}'`;
}

/** Renders at most about `budget` characters, so a huge list is never stringified in full. */
function javaToString(value: unknown, budget: number): string {
  if (typeof value === "string") return value.length > budget ? value.slice(0, budget) : value;
  if (Array.isArray(value)) {
    let text = "[";
    for (const item of value) {
      if (text.length > budget) break;
      text += `${text.length > 1 ? ", " : ""}${javaToString(item, budget - text.length)}`;
    }
    return `${text}]`;
  }
  if (typeof value === "object" && value !== null) {
    let text = "{";
    for (const [key, item] of Object.entries(value)) {
      if (text.length > budget) break;
      text += `${text.length > 1 ? ", " : ""}${key}=${javaToString(item, budget - text.length)}`;
    }
    return `${text}}`;
  }
  return String(value);
}

// Control characters would let a client forge line breaks in logs that include the message.
const CONTROL_CHARACTERS = /\p{Cc}/gu;

function bound(text: string): string {
  let shown = text;
  let cut = false;
  if (shown.length > MAX_ECHOED_VALUE_LENGTH) {
    shown = shown.slice(0, MAX_ECHOED_VALUE_LENGTH);
    // Do not leave half of a surrogate pair at the cut.
    if (/[\ud800-\udbff]$/.test(shown)) shown = shown.slice(0, -1);
    cut = true;
  }
  shown = shown.replace(CONTROL_CHARACTERS, "\ufffd");
  return cut ? `${shown}...` : shown;
}

/** The JSON token AWS names when a value has the wrong type. */
export function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return "Start of list";
  switch (typeof value) {
    case "string":
      return "STRING_VALUE";
    case "number":
      return "NUMBER_VALUE";
    case "boolean":
      return "BOOLEAN_VALUE";
    case "object":
      return value === null ? "NULL_VALUE" : "Start of structure or map";
    default:
      return "NO_VALUE";
  }
}

/**
 * SerializationException text for a value of the wrong JSON type, e.g.
 *   STRING_VALUE can not be converted to a Long at 'passwordLength'
 *   Start of list found where not expected at 'secretId'
 * The value itself is never included (it may be secret material sent in the wrong field).
 */
export function typeMismatchMessage(path: string, value: unknown, expected: string): string {
  const kind = jsonKind(value);
  const where = path === "" ? "in the request body" : `at '${path}'`;
  if (kind.startsWith("Start of")) return `${kind} found where not expected ${where}`;
  const article = /^[AEIOU]/.test(expected) ? "an" : "a";
  return `${kind} can not be converted to ${article} ${expected} ${where}`;
}
