import type { AccessKeyRegistry } from "../auth/access-keys.js";
import type { Authorizer } from "../domain/access/authorizer.js";
import type { SecretStore } from "../domain/ports/secret-store.js";
import type { CanReadChange } from "../http/change-feed/can-read.js";

/**
 * A change-feed event goes to a caller only while the caller's key is still valid and a policy lets
 * the caller call GetSecretValue on that secret, checked per event: a key disabled mid-stream stops
 * receiving at once.
 */
export function canReadWithAccessControl(deps: {
  accessKeys: Pick<AccessKeyRegistry, "lookup">;
  authorizer: Authorizer;
  store: Pick<SecretStore, "findRecordByArn">;
  now: () => number;
}): CanReadChange {
  return async (caller, event) => {
    const key = await deps.accessKeys.lookup(caller.accessKeyId);
    if (!key || (key.expiresAt !== undefined && key.expiresAt <= deps.now())) return false;
    const secret = await deps.store.findRecordByArn(event.arn);
    const target = secret
      ? { arn: secret.arn, name: secret.name, tags: secret.tags, resourcePolicy: secret.resourcePolicy }
      : { arn: event.arn, name: event.name };
    const { result } = await deps.authorizer.evaluate(
      caller.principal,
      "secretsmanager:GetSecretValue",
      target,
      {
        "secretsmanager:SecretId": event.arn,
      },
    );
    return result.decision === "allow";
  };
}
