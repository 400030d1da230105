/** The scheme of references `coffer run` resolves when it finds them in the environment or --env-file. */
export const ENV_REFERENCE_PREFIX = "coffer://";

/** The variables whose value is a `coffer://…` reference, as NAME → reference. */
export function referencesIn(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const references: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value?.startsWith(ENV_REFERENCE_PREFIX)) references[name] = value;
  }
  return references;
}
