import { roleOfSession } from "../../../arns/principal-arns.js";
import { uniqueIdOf } from "../../../arns/unique-ids.js";
import type { CallerIdentity } from "./role-sessions.js";

const accountOfArn = /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/;

/**
 * GetCallerIdentity's answer from the caller's ARN alone — `AIDA…` for a user, `AROA…:<session>`
 * for a role session, the account its ARN names: who a signed caller is needs nothing else.
 */
export function callerIdentityOf(principal: string): CallerIdentity {
  const session = roleOfSession(principal);
  const userId = session
    ? `${uniqueIdOf("role", session.roleArn)}:${session.session}`
    : uniqueIdOf("user", principal);
  return { userId, account: accountOfArn.exec(principal)?.[1] ?? "", arn: principal };
}
