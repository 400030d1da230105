import { compact, filtersFromWire, readValueToWire, readyJsonOf, withReadyJson } from "./wire.js";
import { typedOperation, type WireInput } from "./wire-types.js";

export const batchGetSecretValue = typedOperation<WireInput<"BatchGetSecretValue">>(
  async (input, { scope }, { reader }) => {
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
  },
);
