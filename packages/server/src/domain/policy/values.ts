/**
 * Typed readings of condition values, shared by the parser (policy values must parse) and the
 * evaluator (request values that do not parse match nothing).
 */

const numberPattern = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A decimal number (integer, fraction or exponent form); NaN when the text is not one. */
export function parseNumber(text: string): number {
  return numberPattern.test(text) ? Number(text) : Number.NaN;
}

const epochPattern = /^-?\d+(?:\.\d+)?$/;
const isoPattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * A point in time in milliseconds since the epoch, from the two forms IAM accepts for the Date*
 * operators: a W3C/ISO 8601 date or date-time (no zone means UTC), or epoch seconds. NaN otherwise.
 */
export function parseDate(text: string): number {
  if (epochPattern.test(text)) return Number(text) * 1000;
  const match = isoPattern.exec(text);
  if (!match) return Number.NaN;
  const [, y, mo, d, h = "0", mi = "0", s = "0", fraction = "", zone = "Z"] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 24 || minute > 59 || second > 60) return Number.NaN;
  if (hour === 24 && (minute !== 0 || second !== 0 || /[1-9]/.test(fraction))) return Number.NaN;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return Number.NaN; // 2023-02-30
  date.setUTCHours(hour, minute, Math.min(second, 59), 0);
  let ms = date.getTime() + (fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0);
  if (zone !== "Z" && zone !== "z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMinutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (offsetHours > 23 || offsetMinutes > 59) return Number.NaN;
    ms -= sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  }
  return ms;
}

/** `true`/`false` in any case, as IAM compares Bool and Null values; undefined otherwise. */
export function parseBoolean(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  return undefined;
}

const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** True for canonical padded base64 (BinaryEquals values). */
export function isBase64(text: string): boolean {
  return base64Pattern.test(text);
}
