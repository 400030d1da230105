/**
 * Values shorter than this are not masked: replacing every "1" or "on" in a program's output would
 * make it unreadable, and a value that short is no secret anyway. The names skipped are reported.
 */
export const MIN_MASKED_LENGTH = 4;

import { encodedForms } from "./value-encodings.js";

export interface MaskPlan {
  /**
   * The byte strings to replace: each value and its common encodings ({@link encodedForms}), those
   * at least {@link MIN_MASKED_LENGTH} long.
   */
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
    // A program may log a value JSON-escaped, re-cased, URL-encoded, as hex or as base64.
    for (const form of encodedForms(value)) if (form.length >= MIN_MASKED_LENGTH) values.add(form);
  }
  return { values: [...values], tooShort: tooShort.sort() };
}
