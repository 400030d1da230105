/** A secret's string as key/value pairs when it is a flat JSON object, else undefined. */
export function pairsOf(secretString: string): Array<[string, string]> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return undefined;
  const pairs: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === "string") pairs.push([key, value]);
    else if (typeof value === "number" || typeof value === "boolean") pairs.push([key, String(value)]);
    else return undefined;
  }
  return pairs;
}

/** Secrets Manager's limit on SecretString (65,536 bytes). */
export const maxSecretBytes = 65_536;

/** Why the key/value rows can't be saved, or their JSON. */
export function pairsToString(
  rows: Array<{ key: string; value: string }>,
): { value: string } | { problem: string } {
  const object: Record<string, string> = {};
  for (const [index, row] of rows.entries()) {
    const key = row.key.trim();
    if (key === "") return { problem: `Row ${index + 1} has no key.` };
    if (Object.hasOwn(object, key)) return { problem: `The key "${key}" appears twice.` };
    object[key] = row.value;
  }
  if (rows.length === 0) return { problem: "Add at least one key." };
  return checkSize(JSON.stringify(object));
}

/** Why raw text can't be saved (text that looks like JSON must be valid JSON), or the text. */
export function rawToString(raw: string): { value: string } | { problem: string } {
  if (raw === "") return { problem: "The value is empty." };
  const trimmed = raw.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[") || trimmed.startsWith('"')) {
    try {
      JSON.parse(trimmed);
    } catch (error) {
      return { problem: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  return checkSize(raw);
}

function checkSize(value: string): { value: string } | { problem: string } {
  const bytes = new TextEncoder().encode(value).length;
  if (bytes > maxSecretBytes)
    return { problem: `The value is ${bytes} bytes; the limit is ${maxSecretBytes}.` };
  return { value };
}
