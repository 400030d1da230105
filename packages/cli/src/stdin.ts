import type { Input } from "./context.js";

/** Reads all of standard input (or any byte stream) as UTF-8 text. */
export async function readAllText(input: Input): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}
