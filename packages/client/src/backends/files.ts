import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { isAbsolute, resolve, sep } from "node:path";
import { AccessDeniedError, CofferClientError } from "../errors.js";
import type { Backend, FetchRequest, SecretRecord } from "../types.js";
import { asksForCurrentOnly, errorCode, fileValue, withoutTrailingNewline } from "./text.js";

/**
 * Where a secret name lives under `root`, or a `CofferClientError` when the name could leave it.
 * Rules: not empty, no NUL or backslash, not absolute, `/`-separated segments none of which is
 * empty, `.`, `..` or starts with `..` (Kubernetes' `..data` and `..<timestamp>` internals); then
 * the resolved path must lie strictly inside the resolved root. (Symlinks are checked on read.)
 */
export function secretPath(root: string, name: string): string {
  const base = resolve(root);
  const invalid = (why: string) =>
    new CofferClientError(`files: invalid secret name ${JSON.stringify(name)}: ${why}.`);
  if (name === "") throw invalid("empty");
  if (name.includes("\0")) throw invalid("contains NUL");
  if (name.includes("\\")) throw invalid("contains a backslash");
  if (name.startsWith("/") || isAbsolute(name)) throw invalid("absolute paths are not allowed");
  for (const segment of name.split("/")) {
    if (segment === "") throw invalid("empty path segment");
    if (segment === "." || segment.startsWith("..")) throw invalid("'.' and '..' segments are not allowed");
  }
  const path = resolve(base, name);
  if (!path.startsWith(base.endsWith(sep) ? base : base + sep)) throw invalid("outside the secrets folder");
  return path;
}

/** True when `path` is strictly inside `root` (both already resolved). */
export function isInside(root: string, path: string): boolean {
  return path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Secrets as files: Docker secrets (`/run/secrets/<name>`) and Kubernetes secret volumes. A name
 * that is a folder (a Kubernetes secret mounted as a directory of keys) reads as a JSON object of
 * its files, so `getJson("db")` and `get("db#password")` work. Kubernetes' `..data` symlink swap is
 * followed, but the real path of every file must stay inside the folder's real path.
 */
export class FilesBackend implements Backend {
  readonly name = "files";
  readonly dir: string;
  #realRoot: Promise<string> | undefined;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  async get(request: FetchRequest): Promise<SecretRecord | undefined> {
    if (!asksForCurrentOnly(request)) return undefined;
    const path = secretPath(this.dir, request.id);
    try {
      const info = await stat(path);
      const root = await this.#root();
      await this.#checkReal(root, path, request.id);
      if (info.isDirectory()) {
        return {
          id: request.id,
          source: this.name,
          name: request.id,
          createdDate: info.mtime,
          string: await this.#folder(root, path, request.id),
        };
      }
      if (!info.isFile()) return undefined;
      return {
        id: request.id,
        source: this.name,
        name: request.id,
        createdDate: info.mtime,
        ...fileValue(await readFile(path)),
      };
    } catch (error) {
      const code = errorCode(error);
      if (code === "ENOENT" || code === "ENOTDIR") return undefined;
      if (code === "EACCES" || code === "EPERM") {
        throw new AccessDeniedError(this.name, `cannot read ${path}: ${code}`, { secretId: request.id });
      }
      if (error instanceof CofferClientError) throw error;
      throw new CofferClientError(
        `files: cannot read secret '${request.id}' under ${this.dir}: ${code ?? "error"}.`,
      );
    }
  }

  /** A folder of keys → JSON object text. Entries starting with `..` are Kubernetes' bookkeeping. */
  async #folder(root: string, folder: string, id: string): Promise<string> {
    const object: Record<string, string> = {};
    for (const entry of (await readdir(folder)).sort()) {
      if (entry.startsWith("..")) continue;
      const path = `${folder}${sep}${entry}`;
      const info = await stat(path);
      if (!info.isFile()) continue;
      await this.#checkReal(root, path, id);
      object[entry] = withoutTrailingNewline((await readFile(path)).toString("utf8"));
    }
    return JSON.stringify(object);
  }

  async #checkReal(root: string, path: string, id: string): Promise<void> {
    const real = await realpath(path);
    if (real !== root && !isInside(root, real)) {
      throw new CofferClientError(`files: secret '${id}' is a link that leads outside ${this.dir}; refused.`);
    }
  }

  #root(): Promise<string> {
    this.#realRoot ??= realpath(this.dir).catch((error: unknown) => {
      this.#realRoot = undefined;
      throw error;
    });
    return this.#realRoot;
  }
}
