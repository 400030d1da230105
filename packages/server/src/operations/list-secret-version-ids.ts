import { compact, epochSeconds, optionalEpochSeconds } from "./wire.js";
import { typedOperation, type WireInput } from "./wire-types.js";

export const listSecretVersionIds = typedOperation<WireInput<"ListSecretVersionIds">>(
  async (input, { scope }, { reader }) => {
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
  },
);
