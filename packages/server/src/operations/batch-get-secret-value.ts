import type { Operation } from "./operation.js";
import { compact, filtersFromWire, readValueToWire, readyJsonOf, withReadyJson } from "./wire.js";

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
  const secretValues = result.values.map(readValueToWire);
  const errors = result.errors.map(({ secretId, error }) => ({
    SecretId: secretId,
    ErrorCode: error.awsName,
    Message: error.message,
  }));
  const answer = compact({ SecretValues: secretValues, Errors: errors, NextToken: result.nextToken });
  // The members in the order JSON.stringify writes them; each value's text is its ready answer.
  const json =
    `{"SecretValues":[${secretValues.map((wire) => readyJsonOf(wire)).join(",")}],"Errors":${JSON.stringify(errors)}` +
    `${result.nextToken !== undefined ? `,"NextToken":${JSON.stringify(result.nextToken)}` : ""}}`;
  return withReadyJson(answer, json);
};
