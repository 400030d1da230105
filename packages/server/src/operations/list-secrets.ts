import { compact, filtersFromWire, secretMetadataToWire } from "./wire.js";
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
  return compact({
    SecretList: page.secrets.map((secret) => compact(secretMetadataToWire(secret))),
    NextToken: page.nextToken,
  });
});
