import { parseSecretId } from "../secrets/arn.js";
import type { SecretReader } from "../secrets/secret-reader.js";
import type { SecretWriter } from "../secrets/secret-writer.js";
import { CURRENT } from "../secrets/stages.js";
import type { RotationStepEvent } from "./rotator.js";

/** Steps and helpers the built-in rotators share. */

/** finishSecret as AWS's templates do it: AWSCURRENT moves to the token's version (AWSPREVIOUS follows). */
export async function moveCurrentTo(
  deps: { reader: SecretReader; writer: SecretWriter },
  event: RotationStepEvent,
): Promise<void> {
  const scope = builtinScopeOf(event);
  const state = await deps.reader.describe(scope, event.SecretId);
  const current = state.versions.find((v) => v.stages.includes(CURRENT))?.versionId;
  if (current === event.ClientRequestToken) return;
  await deps.writer.updateVersionStage(scope, {
    secretId: event.SecretId,
    stage: CURRENT,
    moveToVersionId: event.ClientRequestToken,
    ...(current !== undefined ? { removeFromVersionId: current } : {}),
  });
}

/** The server's own work in the secret's region (no caller: no authorization, as the engine runs it). */
export function builtinScopeOf(event: RotationStepEvent): { region: string } {
  const id = parseSecretId(event.SecretId);
  return { region: id.kind === "arn" ? id.region : "" };
}

export function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
