import { UsageError } from "../errors.js";
import { splitKeyValue } from "../key-value.js";
import { isEnvName } from "./env-name.js";

/** `--env DB_PASSWORD=prod/db#password` (repeatable) → { DB_PASSWORD: "prod/db#password" }. */
export function parseEnvAssignments(assignments: readonly string[]): Record<string, string> {
  const references: Record<string, string> = {};
  for (const assignment of assignments) {
    const pair = splitKeyValue(assignment);
    if (pair === undefined || pair.value === "") {
      throw new UsageError(
        `--env expects NAME=REFERENCE (e.g. DB_PASSWORD=prod/db#password), got "${assignment}"`,
      );
    }
    if (!isEnvName(pair.key)) {
      throw new UsageError(`--env: "${pair.key}" is not a valid environment variable name`);
    }
    if (Object.hasOwn(references, pair.key))
      throw new UsageError(`--env: ${pair.key} is given more than once`);
    references[pair.key] = pair.value;
  }
  return references;
}
