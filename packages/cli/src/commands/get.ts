import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import type { CommandContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { ExitCode } from "../exit-codes.js";
import { toJson } from "../output.js";

export interface GetOptions {
  field?: string;
  json?: boolean;
  binary?: boolean;
  versionId?: string;
  versionStage?: string;
}

/**
 * `coffer get NAME`: the one command that writes a secret value, and only to stdout.
 * Text values get a trailing newline; `--binary` writes the exact bytes with nothing added.
 */
export async function runGet(context: CommandContext, name: string, options: GetOptions): Promise<void> {
  const chosen = [options.field !== undefined, options.json, options.binary].filter(Boolean).length;
  if (chosen > 1) throw new UsageError("choose at most one of --field, --json and --binary");

  const response = await context.client.send(
    new GetSecretValueCommand({
      SecretId: name,
      VersionId: options.versionId,
      VersionStage: options.versionStage,
    }),
  );

  if (options.json) {
    context.stdout.write(toJson(response));
  } else if (options.binary) {
    context.stdout.write(response.SecretBinary ?? Buffer.from(response.SecretString ?? "", "utf8"));
  } else if (options.field !== undefined) {
    context.stdout.write(`${selectField(name, response.SecretString, options.field)}\n`);
  } else if (response.SecretString !== undefined) {
    context.stdout.write(`${response.SecretString}\n`);
  } else {
    context.stdout.write(`${Buffer.from(response.SecretBinary ?? new Uint8Array()).toString("base64")}\n`);
  }
}

/**
 * One top-level field of a JSON object value. A string field is printed bare (what a script wants to
 * pipe on); anything else as JSON. Errors name the field and never show the value.
 */
export function selectField(secretName: string, secretString: string | undefined, field: string): string {
  const notAnObject = () =>
    new CliError(`secret ${secretName} is not a JSON object, so it has no field "${field}"`, ExitCode.Usage);
  if (secretString === undefined) throw notAnObject();
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    // Not the SyntaxError's message: V8 quotes the offending text, which is the secret.
    throw notAnObject();
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw notAnObject();
  if (!Object.hasOwn(parsed, field)) {
    throw new CliError(`secret ${secretName} has no field "${field}"`, ExitCode.Usage);
  }
  const value: unknown = (parsed as Record<string, unknown>)[field];
  return typeof value === "string" ? value : JSON.stringify(value);
}
