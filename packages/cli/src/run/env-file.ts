import { readFile } from "node:fs/promises";
import * as util from "node:util";
import { UsageError } from "../errors.js";

/**
 * Reads a dotenv file (`KEY=value`, quotes, `export`, comments) with Node's own parser. Errors name
 * the file, never its contents, which may hold values.
 */
export async function readEnvFile(path: string): Promise<Record<string, string>> {
  // util.parseEnv exists from Node 20.12; the engines range starts at 20.10.
  const parseEnv: ((content: string) => NodeJS.Dict<string>) | undefined = util.parseEnv;
  if (typeof parseEnv !== "function") {
    throw new UsageError(`--env-file needs Node.js 20.12 or later (this is ${process.version})`);
  }
  let content: string;
  try {
    content = await readFile(path, "utf8");
  } catch (error) {
    const code = error instanceof Error && "code" in error ? String(error.code) : "unreadable";
    throw new UsageError(`cannot read --env-file ${path}: ${code}`);
  }
  const entries: Record<string, string> = {};
  for (const [name, value] of Object.entries(parseEnv(content))) {
    if (value !== undefined) entries[name] = value;
  }
  return entries;
}
