import type { SortKey } from "../storage/port.js";
import type { Operation } from "./operation.js";
import { compact, epochSeconds, filtersFromWire, optionalEpochSeconds } from "./wire.js";

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
    SecretList: page.secrets.map((secret) =>
      compact({
        ARN: secret.arn,
        Name: secret.name,
        Description: secret.description,
        KmsKeyId: secret.kmsKeyId,
        RotationEnabled: false,
        LastChangedDate: epochSeconds(secret.lastChangedAt),
        LastAccessedDate: optionalEpochSeconds(secret.lastAccessedAt),
        DeletedDate: optionalEpochSeconds(secret.deletedAt),
        Tags: secret.tags,
        CreatedDate: epochSeconds(secret.createdAt),
        PrimaryRegion: secret.region,
      }),
    ),
    NextToken: page.nextToken,
  });
};
