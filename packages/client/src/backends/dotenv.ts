import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parse } from "dotenv";
import { AccessDeniedError, CofferClientError } from "../errors.js";
import type { Backend, FetchRequest, SecretRecord } from "../types.js";
import { envCandidates } from "./env.js";
import { asksForCurrentOnly, errorCode } from "./text.js";

/**
 * Secrets from a `.env` file, parsed with the `dotenv` package's parser (quotes, multi-line values,
 * `export` prefixes, comments). Names map to keys as for the env source: the id itself when it is a
 * valid variable name, then `prod/db` → `PROD_DB`. The file is read on each backend fetch (the cache
 * sits in front); a missing file means "not here". Nothing is written to `process.env`.
 */
export class DotenvBackend implements Backend {
  readonly name = "dotenv";
  readonly path: string;

  constructor(path: string) {
    this.path = resolve(path);
  }

  async get(request: FetchRequest): Promise<SecretRecord | undefined> {
    if (!asksForCurrentOnly(request)) return undefined;
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      const code = errorCode(error);
      if (code === "ENOENT" || code === "ENOTDIR") return undefined;
      if (code === "EACCES" || code === "EPERM") {
        throw new AccessDeniedError(this.name, `cannot read ${this.path}: ${code}`, { secretId: request.id });
      }
      throw new CofferClientError(`dotenv: cannot read ${this.path}: ${code ?? "error"}.`);
    }
    const parsed = parse(text);
    for (const name of envCandidates(request.id)) {
      if (Object.hasOwn(parsed, name)) {
        return { id: request.id, source: this.name, name, string: parsed[name] ?? "" };
      }
    }
    return undefined;
  }
}
