import {
  type Filter,
  type FilterNameStringType,
  ListSecretsCommand,
  type SecretListEntry,
} from "@aws-sdk/client-secrets-manager";
import type { CommandContext } from "../context.js";
import { UsageError } from "../errors.js";
import { splitKeyValue } from "../key-value.js";
import { formatDate, formatTable, toJson } from "../output.js";

export interface ListOptions {
  json?: boolean;
  filter?: string[];
  includeDeleted?: boolean;
}

const filterKeys: readonly FilterNameStringType[] = ["name", "description", "tag-key", "tag-value", "all"];

function isFilterKey(key: string): key is FilterNameStringType {
  return (filterKeys as readonly string[]).includes(key);
}

/**
 * `--filter name=prod --filter name=staging --filter tag-key=team` → one Filter per key with all its
 * values, which the service ORs within a key and ANDs across keys.
 */
export function parseFilters(filters: readonly string[]): Filter[] | undefined {
  if (filters.length === 0) return undefined;
  const valuesByKey = new Map<FilterNameStringType, string[]>();
  for (const filter of filters) {
    const pair = splitKeyValue(filter);
    if (pair === undefined || pair.value === "") {
      throw new UsageError(`--filter expects KEY=VALUE, got "${filter}"`);
    }
    if (!isFilterKey(pair.key)) {
      throw new UsageError(`unknown --filter key "${pair.key}"; use one of: ${filterKeys.join(", ")}`);
    }
    valuesByKey.set(pair.key, [...(valuesByKey.get(pair.key) ?? []), pair.value]);
  }
  return [...valuesByKey].map(([key, values]) => ({ Key: key, Values: values }));
}

/** `coffer list`: every secret, following NextToken through all pages. */
export async function runList(context: CommandContext, options: ListOptions): Promise<void> {
  const filters = parseFilters(options.filter ?? []);
  const secrets: SecretListEntry[] = [];
  let nextToken: string | undefined;
  do {
    const page = await context.client.send(
      new ListSecretsCommand({
        Filters: filters,
        IncludePlannedDeletion: options.includeDeleted ? true : undefined,
        NextToken: nextToken,
      }),
    );
    secrets.push(...(page.SecretList ?? []));
    nextToken = page.NextToken;
  } while (nextToken);

  if (options.json) {
    context.stdout.write(toJson(secrets));
    return;
  }
  if (secrets.length === 0) {
    context.stderr.write("No secrets found.\n");
    return;
  }
  const headers = ["Name", "Description", "LastChanged", "Tags"];
  // DeletedDate is when deletion was requested, so a date here marks a secret pending deletion.
  if (options.includeDeleted) headers.push("Deleted");
  const rows = secrets.map((secret) => {
    const row = [
      secret.Name ?? "-",
      secret.Description ?? "",
      formatDate(secret.LastChangedDate ?? secret.CreatedDate),
      String(secret.Tags?.length ?? 0),
    ];
    if (options.includeDeleted) row.push(secret.DeletedDate ? formatDate(secret.DeletedDate) : "");
    return row;
  });
  context.stdout.write(formatTable(headers, rows));
}
