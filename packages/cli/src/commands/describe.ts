import { DescribeSecretCommand, type DescribeSecretResponse } from "@aws-sdk/client-secrets-manager";
import type { CommandContext } from "../context.js";
import { formatDate, formatFields, formatTable, toJson } from "../output.js";

export interface DescribeOptions {
  json?: boolean;
}

/** `coffer describe NAME`: metadata only; DescribeSecret never returns the value. */
export async function runDescribe(
  context: CommandContext,
  name: string,
  options: DescribeOptions,
): Promise<void> {
  const secret = await context.client.send(new DescribeSecretCommand({ SecretId: name }));
  context.stdout.write(options.json ? toJson(secret) : formatDescription(secret));
}

export function formatDescription(secret: DescribeSecretResponse): string {
  const fields: Array<[string, string]> = [
    ["Name", secret.Name ?? "-"],
    ["ARN", secret.ARN ?? "-"],
    ["Description", secret.Description || "-"],
    ["KMS key", secret.KmsKeyId ?? "(default)"],
    ["Created", formatDate(secret.CreatedDate)],
    ["Last changed", formatDate(secret.LastChangedDate)],
    ["Last accessed", formatDate(secret.LastAccessedDate)],
  ];
  // DeletedDate is when deletion was requested; the secret goes once its recovery window has passed.
  if (secret.DeletedDate !== undefined) {
    fields.push([
      "Deleted",
      `${formatDate(secret.DeletedDate)} (pending deletion; \`coffer restore ${secret.Name ?? ""}\` cancels it)`,
    ]);
  }
  if (secret.RotationEnabled || secret.RotationLambdaARN !== undefined) {
    const rules = secret.RotationRules;
    const schedule =
      rules?.ScheduleExpression ??
      (rules?.AutomaticallyAfterDays !== undefined ? `every ${rules.AutomaticallyAfterDays} days` : "-");
    fields.push(
      ["Rotation", secret.RotationEnabled ? "enabled" : "disabled"],
      ["Rotation function", secret.RotationLambdaARN ?? "-"],
      [
        "Rotation schedule",
        rules?.Duration !== undefined ? `${schedule} (window ${rules.Duration})` : schedule,
      ],
      ["Last rotated", formatDate(secret.LastRotatedDate)],
      ["Next rotation", formatDate(secret.NextRotationDate)],
    );
  }
  const tags = secret.Tags ?? [];
  const versions = Object.entries(secret.VersionIdsToStages ?? {});
  return [
    formatFields(fields),
    "\nTags:\n",
    tags.length === 0
      ? "  (none)\n"
      : indent(
          formatTable(
            ["Key", "Value"],
            tags.map((t) => [t.Key ?? "", t.Value ?? ""]),
          ),
        ),
    "\nVersions:\n",
    versions.length === 0
      ? "  (none)\n"
      : indent(
          formatTable(
            ["VersionId", "Stages"],
            versions.map(([id, stages]) => [id, stages.join(",")]),
          ),
        ),
  ].join("");
}

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, "  ");
}
