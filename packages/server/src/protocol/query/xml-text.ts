/**
 * Text as XML 1.0 character data or a double-quoted attribute value. `&`, `<`, `>`, `"` and carriage
 * returns are escaped (a bare CR would reach the reader as a line feed); an apostrophe is left as
 * it is, so messages stay readable (`'roleArn'`); characters XML 1.0 cannot carry at
 * all (most C0 controls, unpaired surrogates, U+FFFE/U+FFFF) become U+FFFD, so no value can break
 * the document or forge an element.
 */
// Built from text: the ranges name control characters, which a regex literal may not spell out.
const notXmlClass = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\ufffe\\uffff";
const special = new RegExp(`[&<>"\\r${notXmlClass}\\ud800-\\udfff]`);
const notXml = new RegExp(
  `[${notXmlClass}]|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]`,
  "g",
);

const entities: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "\r": "&#xD;",
};

export function escapeXml(text: string): string {
  // Most values (ARNs, ids, dates) need nothing: one test, no copy.
  if (!special.test(text)) return text;
  return text.replace(notXml, "\ufffd").replace(/[&<>"\r]/g, (char) => entities[char] as string);
}
