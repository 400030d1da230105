import { UsageError } from "../errors.js";

/** An integer option within [min, max]; undefined when not given. */
export function integerOption(
  flag: string,
  text: string | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${flag} expects a whole number from ${min} to ${max}, got "${text}"`);
  }
  return value;
}
