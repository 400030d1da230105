import { ListSecretVersionIdsCommand, type SecretVersionsListEntry } from "@aws-sdk/client-secrets-manager";
import type { CommandContext } from "../context.js";
import { formatDate, formatTable, toJson } from "../output.js";

export interface HistoryOptions {
  json?: boolean;
  includeDeprecated?: boolean;
}

/** `coffer history NAME`: the secret's versions, newest first, with their staging labels. */
export async function runHistory(
  context: CommandContext,
  name: string,
  options: HistoryOptions,
): Promise<void> {
  const versions: SecretVersionsListEntry[] = [];
  let nextToken: string | undefined;
  do {
    const page = await context.client.send(
      new ListSecretVersionIdsCommand({
        SecretId: name,
        IncludeDeprecated: options.includeDeprecated ? true : undefined,
        NextToken: nextToken,
      }),
    );
    versions.push(...(page.Versions ?? []));
    nextToken = page.NextToken;
  } while (nextToken);

  if (options.json) {
    context.stdout.write(toJson(versions));
    return;
  }
  const newestFirst = [...versions].sort(
    (a, b) => (b.CreatedDate?.getTime() ?? 0) - (a.CreatedDate?.getTime() ?? 0),
  );
  context.stdout.write(
    formatTable(
      ["VersionId", "Stages", "Created", "LastAccessed"],
      newestFirst.map((version) => [
        version.VersionId ?? "-",
        version.VersionStages?.join(",") || "-",
        formatDate(version.CreatedDate),
        formatDate(version.LastAccessedDate),
      ]),
    ),
  );
}
