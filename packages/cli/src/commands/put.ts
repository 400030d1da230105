import { CreateSecretCommand, PutSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import type { CommandContext } from "../context.js";
import { isAwsError } from "../errors.js";
import { parseTags } from "../key-value.js";
import { formatFields } from "../output.js";
import { readSecretValue, type ValueSourceContext, type ValueSourceOptions } from "../secret-value.js";

export interface PutOptions extends ValueSourceOptions {
  description?: string;
  kmsKeyId?: string;
  tag?: string[];
}

export type PutContext = CommandContext & ValueSourceContext;

/** `coffer put NAME [KEY=VALUE...]`: creates the secret, or stores a new version if it already exists. */
export async function runPut(
  context: PutContext,
  name: string,
  pairs: readonly string[],
  options: PutOptions,
): Promise<void> {
  const tags = parseTags(options.tag ?? []);
  const value = await readSecretValue(context, name, pairs, options);

  try {
    const created = await context.client.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: value,
        Description: options.description,
        KmsKeyId: options.kmsKeyId,
        Tags: tags.length > 0 ? tags : undefined,
      }),
    );
    context.stderr.write(`Created secret ${name}.\n`);
    context.stdout.write(
      formatFields([
        ["ARN", created.ARN ?? "-"],
        ["VersionId", created.VersionId ?? "-"],
      ]),
    );
    return;
  } catch (error) {
    if (!isAwsError(error, "ResourceExistsException")) throw error;
  }

  // PutSecretValue only takes the value; metadata options would be silently lost without this notice.
  const ignored = [
    options.description !== undefined ? "--description" : undefined,
    options.kmsKeyId !== undefined ? "--kms-key-id" : undefined,
    tags.length > 0 ? "--tag" : undefined,
  ].filter((option) => option !== undefined);
  if (ignored.length > 0) {
    context.stderr.write(`warning: ${name} already exists; ${ignored.join(", ")} not applied to it\n`);
  }
  const stored = await context.client.send(
    new PutSecretValueCommand({ SecretId: name, SecretString: value }),
  );
  context.stderr.write(`Stored a new version of ${name}.\n`);
  context.stdout.write(
    formatFields([
      ["ARN", stored.ARN ?? "-"],
      ["VersionId", stored.VersionId ?? "-"],
    ]),
  );
}
