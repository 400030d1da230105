import { UsageError } from "../errors.js";
import { referencesIn } from "./env-references.js";
import { jsonToEnv } from "./json-to-env.js";
import type { RunSecrets } from "./run-secrets.js";

export interface InjectionRequest {
  /** The inherited environment with the --env-file entries laid over it. */
  base: Readonly<Record<string, string>>;
  /** From --env: NAME → reference. */
  explicit: Readonly<Record<string, string>>;
  /** From --env-json: secret ids whose JSON object is spread into variables. */
  jsonSecretIds: readonly string[];
  /** Put before every --env-json variable name. */
  prefix: string;
}

export interface ResolvedEnvironment {
  /** The child's whole environment. */
  env: Record<string, string>;
  /** Only the variables whose values came from secrets: these are masked. */
  injected: Record<string, string>;
}

/** True when there is anything to fetch, so that a run with nothing to resolve needs no backend. */
export function needsSecrets(request: InjectionRequest): boolean {
  return (
    Object.keys(request.explicit).length > 0 ||
    request.jsonSecretIds.length > 0 ||
    Object.keys(referencesIn(request.base)).length > 0
  );
}

/**
 * Resolves every reference in one `resolve` call (so one error lists every missing one): the
 * `coffer://` values found in the environment or --env-file, then --env, which wins for the same
 * name. The --env-json secrets are read with `getJson`. A variable set by two of these is an error:
 * the user must say which one they meant.
 */
export async function resolveEnvironment(
  request: InjectionRequest,
  secrets: RunSecrets,
): Promise<ResolvedEnvironment> {
  const references = { ...referencesIn(request.base), ...request.explicit };
  const [resolved, objects] = await Promise.all([
    Object.keys(references).length > 0 ? secrets.resolve(references) : Promise.resolve({}),
    Promise.all(request.jsonSecretIds.map((id) => secrets.getJson<unknown>(id))),
  ]);

  const injected: Record<string, string> = { ...resolved };
  const setBy: Record<string, string> = {};
  for (const name of Object.keys(request.explicit)) setBy[name] = "--env";
  request.jsonSecretIds.forEach((id, index) => {
    for (const [name, value] of Object.entries(jsonToEnv(id, objects[index], request.prefix))) {
      const earlier = setBy[name];
      if (earlier !== undefined) {
        throw new UsageError(`${name} is set by both ${earlier} and --env-json ${id}`);
      }
      setBy[name] = `--env-json ${id}`;
      injected[name] = value;
    }
  });
  return { env: { ...request.base, ...injected }, injected };
}
