import { readFile } from "node:fs/promises";
import { AccessDeniedError, CofferClientError } from "../errors.js";
import type { Backend, FetchRequest, SecretRecord } from "../types.js";
import { asksForCurrentOnly, errorCode, fileValue } from "./text.js";

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The name of the environment variable for a secret name: every character other than a letter,
 * digit or `_` becomes `_`, then upper case; a leading digit gets a `_` in front.
 * `prod/db` → `PROD_DB`, `alpha-vantage` → `ALPHA_VANTAGE`, `api.key@v2` → `API_KEY_V2`.
 */
export function envNameFor(id: string): string {
  const name = id.replace(/[^A-Za-z0-9_]/g, "_").toUpperCase();
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/** Variables tried for an id, in order: the id itself when it is a valid variable name, then `envNameFor(id)`. */
export function envCandidates(id: string): string[] {
  const mapped = envNameFor(id);
  return envName.test(id) && id !== mapped ? [id, mapped] : [mapped];
}

/**
 * Secrets from environment variables. For secret `prod/db` it reads `PROD_DB`; when that is unset
 * and `PROD_DB_FILE` is set, the value is read from the file it names (the Docker `_FILE`
 * convention). Both set is a configuration error, as in the official Docker images.
 */
export class EnvBackend implements Backend {
  readonly name = "env";
  readonly #env: Readonly<Record<string, string | undefined>>;

  constructor(env: Readonly<Record<string, string | undefined>>) {
    this.#env = env;
  }

  async get(request: FetchRequest): Promise<SecretRecord | undefined> {
    if (!asksForCurrentOnly(request)) return undefined;
    for (const name of envCandidates(request.id)) {
      const value = this.#env[name];
      const fileVariable = `${name}_FILE`;
      const file = this.#env[fileVariable];
      if (value !== undefined && file !== undefined) {
        throw new CofferClientError(
          `env: both ${name} and ${fileVariable} are set for secret '${request.id}'; set only one.`,
        );
      }
      if (value !== undefined) return { id: request.id, source: this.name, name, string: value };
      if (file !== undefined)
        return {
          id: request.id,
          source: this.name,
          name,
          ...(await readValueFile(request.id, fileVariable, file)),
        };
    }
    return undefined;
  }
}

async function readValueFile(id: string, variable: string, path: string) {
  try {
    return fileValue(await readFile(path));
  } catch (error) {
    const code = errorCode(error);
    if (code === "EACCES" || code === "EPERM") {
      throw new AccessDeniedError("env", `cannot read the file named by ${variable} (${path}): ${code}`, {
        secretId: id,
      });
    }
    throw new CofferClientError(
      `env: cannot read the file named by ${variable} (${path}) for secret '${id}': ${code ?? "error"}.`,
    );
  }
}
