/**
 * The body of an AWS Query request (`application/x-www-form-urlencoded`): `Name=value` pairs joined
 * by `&`, `+` for a space, `%XX` escapes of UTF-8 bytes. Stricter than URLSearchParams, which passes
 * a broken escape through as text and keeps every repeat of a name: a body that cannot be read one
 * way only is refused (MalformedQueryString), never guessed at — two readers of the same bytes
 * (SigV4 over the raw body, the decoder over this map) must not disagree about what was asked.
 */
import { MalformedQueryStringException } from "../../errors/catalog.js";
import { echoValue } from "../messages.js";

/** The form's parameters by name (`Action`, `RoleArn`, `Tags.member.1.Key`, …). */
export type QueryForm = ReadonlyMap<string, string>;

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function parseForm(body: Buffer): Map<string, string> {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new MalformedQueryStringException("The request body is not UTF-8 text.");
  }
  const form = new Map<string, string>();
  if (text === "") return form;
  for (const pair of text.split("&")) {
    // An empty pair (`a=1&&b=2`, a trailing `&`) says nothing; browsers and SDKs skip it too.
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    const name = decodeComponent(equals === -1 ? pair : pair.slice(0, equals));
    const value = equals === -1 ? "" : decodeComponent(pair.slice(equals + 1));
    if (form.has(name)) {
      throw new MalformedQueryStringException(`The parameter ${echoValue(name)} appears more than once.`);
    }
    form.set(name, value);
  }
  return form;
}

function decodeComponent(text: string): string {
  const spaced = text.includes("+") ? text.replaceAll("+", " ") : text;
  if (!spaced.includes("%")) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    // A broken escape or escaped bytes that are not UTF-8. The text is not echoed: it may be a secret.
    throw new MalformedQueryStringException(
      "The request body has a malformed percent escape (each % must start %XX, and the bytes must be UTF-8).",
    );
  }
}
