/**
 * Values shorter than this are not masked: replacing every "1" or "on" in a program's output would
 * make it unreadable, and a value that short is no secret anyway. The names skipped are reported.
 */
export const MIN_MASKED_LENGTH = 4;

export interface MaskPlan {
  /** The byte strings to replace: each value, and its JSON-escaped form when that differs. */
  values: string[];
  /** Variables whose values are too short to mask. */
  tooShort: string[];
}

/** Decides what to mask in the child's output, given the injected variables. */
export function planMasking(injected: Readonly<Record<string, string>>): MaskPlan {
  const values = new Set<string>();
  const tooShort: string[] = [];
  for (const [name, value] of Object.entries(injected)) {
    if (value === "") continue;
    if (value.length < MIN_MASKED_LENGTH) {
      tooShort.push(name);
      continue;
    }
    values.add(value);
    // A program that logs JSON writes quotes, backslashes and newlines escaped.
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) values.add(escaped);
  }
  return { values: [...values], tooShort: tooShort.sort() };
}
