import { callerIdentityOf } from "../../domain/identity/sts/caller-identity.js";
import { typedOperation } from "../wire-types.js";

/** STS's GetCallerIdentity: who signed the request. Needs no permission, as in AWS. */
export const getCallerIdentity = typedOperation<Record<string, never>>(async (_input, context, services) => {
  const { caller } = context;
  const identity =
    services.sts?.callerIdentity({
      principal: caller.principal,
      accessKeyId: caller.accessKeyId,
      sourceIp: context.sourceIp,
      session: caller.session,
    }) ?? callerIdentityOf(caller.principal);
  return { UserId: identity.userId, Account: identity.account, Arn: identity.arn };
});
