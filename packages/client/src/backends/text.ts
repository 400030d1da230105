import type { FetchRequest } from "../types.js";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * A file's bytes as a secret value: valid UTF-8 becomes `string` with one trailing newline removed
 * (`echo secret > file` and `docker secret create` from such a file leave one); anything else is
 * `binary`, byte for byte.
 */
export function fileValue(bytes: Uint8Array): { string: string } | { binary: Uint8Array } {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { binary: new Uint8Array(bytes) };
  }
  return { string: withoutTrailingNewline(text) };
}

export function withoutTrailingNewline(text: string): string {
  if (text.endsWith("\r\n")) return text.slice(0, -2);
  if (text.endsWith("\n")) return text.slice(0, -1);
  return text;
}

/** Sources without versions (env, files, dotenv) have only the current value. */
export function asksForCurrentOnly(request: FetchRequest): boolean {
  return (
    request.versionId === undefined &&
    (request.versionStage === undefined || request.versionStage === "AWSCURRENT")
  );
}

/** Node's error code (ENOENT…), if any. */
export function errorCode(error: unknown): string | undefined {
  if (error === null || typeof error !== "object") return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}
