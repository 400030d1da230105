import type { Authorizer } from "../domain/access/authorizer.js";
import type { RequestScope } from "../domain/secrets/deps.js";
import type { OperationDescriptor } from "../operations/operation.js";

/**
 * Phase 5, authorize: the operation's IAM action on the resource its descriptor names (`*` or an
 * ARN), before anything runs. An operation on one secret names none here: the domain authorizes it
 * against the very record it reads or changes, conditions and resource policy included (docs/adr/0007).
 */
export function authorize(
  authorizer: Authorizer,
  operation: OperationDescriptor,
  input: Record<string, unknown>,
  scope: RequestScope,
): Promise<unknown> | undefined {
  const resource = operation.resource(input);
  if (resource === undefined || scope.caller === undefined) return undefined;
  return authorizer.check(scope.caller, operation.action, resource === "*" ? "*" : { arn: resource });
}
