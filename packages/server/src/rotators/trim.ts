/** At most this many characters of anything a rotator quotes (an exception message, a reply body). */
export const maxQuotedChars = 300;

/** One line, printable, at most {@link maxQuotedChars} characters (with `…` when cut). */
export function trimQuoted(text: string, max = maxQuotedChars): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
