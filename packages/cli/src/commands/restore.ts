import { RestoreSecretCommand } from "@aws-sdk/client-secrets-manager";
import type { CommandContext } from "../context.js";
import { formatFields } from "../output.js";

/** `coffer restore NAME`: cancels a scheduled deletion. */
export async function runRestore(context: CommandContext, name: string): Promise<void> {
  const restored = await context.client.send(new RestoreSecretCommand({ SecretId: name }));
  context.stderr.write(`Restored ${name}; its deletion is cancelled.\n`);
  context.stdout.write(formatFields([["ARN", restored.ARN ?? "-"]]));
}
