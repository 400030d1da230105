import type { Operation } from "./operation.js";
import { compact, filtersFromWire, readValueToWire } from "./wire.js";

interface BatchGetSecretValueRequest {
  SecretIdList?: string[];
  Filters?: unknown;
  MaxResults?: number;
  NextToken?: string;
}

export const batchGetSecretValue: Operation = async (raw, { scope }, { reader }) => {
  const input = raw as unknown as BatchGetSecretValueRequest;
  const result = await reader.batchGetValues(scope, {
    secretIds: input.SecretIdList,
    filters: filtersFromWire(input.Filters),
    maxResults: input.MaxResults,
    nextToken: input.NextToken,
  });
  return compact({
    SecretValues: result.values.map(readValueToWire),
    Errors: result.errors.map(({ secretId, error }) => ({
      SecretId: secretId,
      ErrorCode: error.awsName,
      Message: error.message,
    })),
    NextToken: result.nextToken,
  });
};
