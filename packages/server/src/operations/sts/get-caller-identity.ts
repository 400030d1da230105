import { typedOperation } from "../wire-types.js";
import { roleSessionsOf } from "./role-sessions-of.js";

/** STS's GetCallerIdentity: who signed the request. Needs no permission, as in AWS. */
export const getCallerIdentity = typedOperation<Record<string, never>>(async (_input, context, services) => {
  const { caller } = context;
  const identity = roleSessionsOf(services, "GetCallerIdentity").callerIdentity({
    principal: caller.principal,
    accessKeyId: caller.accessKeyId,
    sourceIp: context.sourceIp,
    session: caller.session,
  });
  return { UserId: identity.userId, Account: identity.account, Arn: identity.arn };
});
