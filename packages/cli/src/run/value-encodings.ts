/**
 * The forms a program commonly writes a secret in besides the plain text: JSON-escaped, upper- and
 * lower-cased, URL-encoded (as `encodeURIComponent` and as an HTML form writes it), hex (either
 * case) and base64 (standard and URL-safe, with and without padding).
 *
 * Base64 of a value inside a longer text depends on where the value starts in its 3-byte groups, so
 * for each of the three alignments the characters that depend on the value alone are included too
 * (the first and last few characters of the encoding also carry neighbouring bytes). The plain value
 * itself is among the results.
 */
export function encodedForms(value: string): string[] {
  const forms = new Set<string>([value]);
  forms.add(JSON.stringify(value).slice(1, -1));
  forms.add(value.toUpperCase());
  forms.add(value.toLowerCase());
  const uri = encodeURIComponent(value);
  forms.add(uri);
  forms.add(uri.replace(/%[0-9A-F]{2}/g, (percent) => percent.toLowerCase()));
  forms.add(uri.replace(/%20/g, "+"));
  // application/x-www-form-urlencoded (URLSearchParams, HTML forms) also escapes ! ' ( ) ~.
  forms.add(new URLSearchParams([["", value]]).toString().slice(1));
  const bytes = Buffer.from(value, "utf8");
  const hex = bytes.toString("hex");
  forms.add(hex);
  forms.add(hex.toUpperCase());
  for (const base64 of base64Forms(bytes)) {
    forms.add(base64);
    forms.add(base64.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return [...forms];
}

function base64Forms(bytes: Buffer): string[] {
  const padded = bytes.toString("base64");
  const forms = [padded, padded.replace(/=+$/, "")];
  for (let offset = 0; offset < 3; offset++) {
    const shifted = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    // Characters are 6 bits: skip those holding bits of the bytes before, stop before a partial one.
    const start = Math.ceil((offset * 8) / 6);
    const end = Math.floor(((offset + bytes.length) * 8) / 6);
    if (end > start) forms.push(shifted.slice(start, end));
  }
  return forms;
}
