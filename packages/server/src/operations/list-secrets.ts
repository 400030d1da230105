import type { SortKey } from "../domain/ports/secret-store.js";
import type { Operation } from "./operation.js";
import { compact, filtersFromWire, secretMetadataToWire } from "./wire.js";

interface ListSecretsRequest {
  IncludePlannedDeletion?: boolean;
  MaxResults?: number;
  NextToken?: string;
  Filters?: unknown;
  SortOrder?: "asc" | "desc";
  SortBy?: SortKey;
}

export const listSecrets: Operation = async (raw, { scope }, { reader }) => {
  const input = raw as unknown as ListSecretsRequest;
  const page = await reader.list(scope, {
    filters: filtersFromWire(input.Filters),
    includePlannedDeletion: input.IncludePlannedDeletion,
    sortBy: input.SortBy,
    sortOrder: input.SortOrder,
    maxResults: input.MaxResults,
    nextToken: input.NextToken,
  });
  return compact({
    SecretList: page.secrets.map((secret) => compact(secretMetadataToWire(secret))),
    NextToken: page.nextToken,
  });
};
