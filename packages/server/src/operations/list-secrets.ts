import { compact, filtersFromWire, secretMetadataToWire, versionsToStagesWire } from "./wire.js";
import { typedOperation, type WireInput } from "./wire-types.js";

export const listSecrets = typedOperation<WireInput<"ListSecrets">>(async (input, { scope }, { reader }) => {
  const page = await reader.list(scope, {
    filters: filtersFromWire(input.Filters),
    includePlannedDeletion: input.IncludePlannedDeletion,
    sortBy: input.SortBy,
    sortOrder: input.SortOrder,
    maxResults: input.MaxResults,
    nextToken: input.NextToken,
  });
  // Each entry carries its version map, as AWS's do (SecretVersionsToStages): one store call per page.
  const stageMaps = await reader.stageMapsOf(page.secrets);
  return compact({
    SecretList: page.secrets.map((secret) => {
      const byVersion = new Map<string, string[]>();
      for (const { stage, versionId } of stageMaps.get(secret.arn) ?? []) {
        const stages = byVersion.get(versionId);
        if (stages === undefined) byVersion.set(versionId, [stage]);
        else stages.push(stage);
      }
      const versions = [...byVersion].map(([versionId, stages]) => ({ versionId, stages }));
      // SecretListEntry has PrimaryRegion but no ReplicationStatus (the service model).
      return compact({
        ...secretMetadataToWire(secret),
        ReplicationStatus: undefined,
        SecretVersionsToStages: versionsToStagesWire(versions),
      });
    }),
    NextToken: page.nextToken,
  });
});
