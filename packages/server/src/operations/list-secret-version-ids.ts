import { compact, epochSeconds, optionalEpochSeconds } from "./wire.js";
import { typedOperation, type WireInput } from "./wire-types.js";

const defaultEncryptionKey = "DefaultEncryptionKey";

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
          // AWS names the default key "DefaultEncryptionKey" here (its recorded answers show it).
          KmsKeyIds: [version.kmsKeyId ?? defaultEncryptionKey],
        }),
      ),
      NextToken: page.nextToken,
      ARN: page.secret.arn,
      Name: page.secret.name,
    });
  },
);
