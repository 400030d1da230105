import type { AuditUserIdentity } from "./event.js";

/** Who made a call, as the request handler established it with SigV4. */
export interface AuditCaller {
  accessKeyId: string;
  /** The principal's ARN, e.g. `arn:aws:iam::123456789012:user/admin`. */
  principal: string;
}

const principalPattern = /^arn:aws[a-z-]*:(iam|sts)::(\d*):(user|assumed-role)\/(.+)$/;
const accessKeyIdPattern = /^[A-Z0-9]{4,128}$/;

/**
 * CloudTrail's `userIdentity`. An unauthenticated call (no caller) is `Unknown`, with the access
 * key id it claimed when one could be read from its Authorization header.
 */
export function userIdentityOf(
  caller: AuditCaller | undefined,
  attemptedAccessKeyId?: string | undefined,
): AuditUserIdentity {
  if (caller === undefined) {
    return {
      type: "Unknown",
      arn: "",
      accountId: "",
      accessKeyId:
        attemptedAccessKeyId !== undefined && accessKeyIdPattern.test(attemptedAccessKeyId)
          ? attemptedAccessKeyId
          : "",
    };
  }
  const match = principalPattern.exec(caller.principal);
  const accountId = match?.[2] ?? "";
  if (match?.[3] === "user") {
    const path = match[4] ?? "";
    return {
      type: "IAMUser",
      arn: caller.principal,
      accountId,
      accessKeyId: caller.accessKeyId,
      userName: path.slice(path.lastIndexOf("/") + 1),
    };
  }
  if (match?.[3] === "assumed-role") {
    return { type: "AssumedRole", arn: caller.principal, accountId, accessKeyId: caller.accessKeyId };
  }
  return { type: "Unknown", arn: caller.principal, accountId, accessKeyId: caller.accessKeyId };
}

const credentialPattern = /Credential=([A-Za-z0-9]{1,128})\/\d{8}\/([a-z0-9-]{1,32})\//;

/**
 * The access key id and region a SigV4 Authorization header claims, read without trusting it:
 * for auditing calls whose authentication failed. Undefined members when the header does not say.
 */
export function credentialHintOf(authorization: string | undefined): {
  accessKeyId: string | undefined;
  region: string | undefined;
} {
  const match = authorization === undefined ? null : credentialPattern.exec(authorization);
  return { accessKeyId: match?.[1], region: match?.[2] };
}
