import type { Operation } from "./operation.js";
import { compact, epochSeconds, optionalEpochSeconds } from "./wire.js";

interface ListSecretVersionIdsRequest {
  SecretId: string;
  MaxResults?: number;
  NextToken?: string;
  IncludeDeprecated?: boolean;
}

export const listSecretVersionIds: Operation = async (raw, { scope }, { reader }) => {
  const input = raw as unknown as ListSecretVersionIdsRequest;
  const page = await reader.listVersions(scope, {
    secretId: input.SecretId,
    includeDeprecated: input.IncludeDeprecated,
    maxResults: input.MaxResults,
    nextToken: input.NextToken,
  });
  return compact({
    Versions: page.versions.map((version) =>
      compact({
        VersionId: version.versionId,
        VersionStages: version.stages,
        LastAccessedDate: optionalEpochSeconds(version.lastAccessedAt),
        CreatedDate: epochSeconds(version.createdAt),
        KmsKeyIds: version.kmsKeyId ? [version.kmsKeyId] : undefined,
      }),
    ),
    NextToken: page.nextToken,
    ARN: page.secret.arn,
    Name: page.secret.name,
  });
};
