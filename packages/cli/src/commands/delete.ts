import { DeleteSecretCommand } from "@aws-sdk/client-secrets-manager";
import type { CommandContext, InteractiveContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { ExitCode } from "../exit-codes.js";
import { formatDate, formatFields } from "../output.js";

export interface DeleteOptions {
  recoveryDays?: string;
  force?: boolean;
  yes?: boolean;
}

export type DeleteContext = CommandContext & Pick<InteractiveContext, "isTTY" | "prompt">;

export const MIN_RECOVERY_DAYS = 7;
export const MAX_RECOVERY_DAYS = 30;

/**
 * `coffer delete NAME`: schedules deletion after a recovery window (the service default is 30 days),
 * or with `--force` deletes at once, which nothing can undo, so it needs `--yes` or a typed confirmation.
 */
export async function runDelete(context: DeleteContext, name: string, options: DeleteOptions): Promise<void> {
  const recoveryDays = parseRecoveryDays(options.recoveryDays);
  if (options.force && recoveryDays !== undefined) {
    throw new UsageError("--force deletes at once; it cannot be combined with --recovery-days");
  }
  if (options.force && !options.yes) await confirmForce(context, name);

  const deleted = await context.client.send(
    new DeleteSecretCommand({
      SecretId: name,
      RecoveryWindowInDays: recoveryDays,
      ForceDeleteWithoutRecovery: options.force ? true : undefined,
    }),
  );
  context.stderr.write(
    options.force
      ? `Deleted ${name} permanently.\n`
      : `Scheduled deletion of ${name}; \`coffer restore ${name}\` cancels it until the deletion date.\n`,
  );
  context.stdout.write(
    formatFields([
      ["ARN", deleted.ARN ?? "-"],
      ["DeletionDate", formatDate(deleted.DeletionDate)],
    ]),
  );
}

export function parseRecoveryDays(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const days = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(days >= MIN_RECOVERY_DAYS && days <= MAX_RECOVERY_DAYS)) {
    throw new UsageError(
      `--recovery-days must be a whole number from ${MIN_RECOVERY_DAYS} to ${MAX_RECOVERY_DAYS}, got "${text}"`,
    );
  }
  return days;
}

async function confirmForce(context: DeleteContext, name: string): Promise<void> {
  if (!context.isTTY) {
    throw new UsageError("--force deletes permanently; add --yes to confirm when not running in a terminal");
  }
  const answer = await context.prompt.ask(
    `This permanently deletes ${name} and all its versions; it cannot be restored.\nType the secret name to confirm: `,
  );
  if (answer.trim() !== name) throw new CliError("not confirmed; nothing was deleted", ExitCode.Usage);
}
