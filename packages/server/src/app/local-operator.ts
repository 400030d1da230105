import { userInfo } from "node:os";
import type { AuditUserIdentity } from "../audit/event.js";

/** The OS user running this process: the `LocalOperator` of events recorded at the data folder. */
export function operatorName(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? "unknown"}`;
  }
}

/** The identity of an event recorded by someone at the data folder rather than through the API. */
export function localOperatorIdentity(accountId: string): AuditUserIdentity {
  return { type: "LocalOperator", arn: "", accountId, accessKeyId: "", userName: operatorName() };
}
