import { roleOfSession } from "../arns/principal-arns.js";
import { uniqueIdOf } from "../arns/unique-ids.js";
import type { AuditUserIdentity, JsonObject } from "./event.js";

/**
 * What the trail records of a role session (the domain's RoleSessionRecord has this shape): its
 * role, when it began, its tags, and how it was obtained. Never a token.
 */
export interface AuditSessionContext {
  roleArn: string;
  issuedAt: number;
  tags: ReadonlyArray<{ Key: string; Value: string }>;
  sourceIdentity?: string | undefined;
  via:
    | { kind: "web-identity"; providerArn: string; issuer: string; subject: string; audience: string }
    | { kind: "assume-role"; callerArn: string; callerAccessKeyId: string };
}

/** Who a verified web identity token proved to be (AssumeRoleWithWebIdentity's caller). */
export interface AuditWebIdentity {
  issuer: string;
  subject: string;
  audience: string;
}

/** Who made a call, as the request handler established it with SigV4. */
export interface AuditCaller {
  accessKeyId: string;
  /** The principal's ARN, e.g. `arn:aws:iam::123456789012:user/admin`. */
  principal: string;
  /** A role session's context, stored with its key. */
  session?: AuditSessionContext | undefined;
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
    const identity: AuditUserIdentity = {
      type: "AssumedRole",
      arn: caller.principal,
      accountId,
      accessKeyId: caller.accessKeyId,
    };
    const role = roleOfSession(caller.principal);
    if (caller.session !== undefined && role !== undefined) {
      const roleId = uniqueIdOf("role", role.roleArn);
      identity.principalId = `${roleId}:${role.session}`;
      identity.sessionContext = sessionContextOf(caller.session, role.roleName, roleId, accountId);
    }
    return identity;
  }
  return { type: "Unknown", arn: caller.principal, accountId, accessKeyId: caller.accessKeyId };
}

/** CloudTrail's `sessionContext` of a role session: which role, since when, and how it was obtained. */
function sessionContextOf(
  session: AuditSessionContext,
  roleName: string,
  roleId: string,
  accountId: string,
): JsonObject {
  const context: JsonObject = {
    attributes: { creationDate: new Date(session.issuedAt).toISOString(), mfaAuthenticated: "false" },
    sessionIssuer: { accountId, arn: session.roleArn, principalId: roleId, type: "Role", userName: roleName },
  };
  if (session.via.kind === "web-identity") {
    context.webIdFederationData = {
      federatedProvider: session.via.providerArn,
      attributes: { aud: session.via.audience, iss: session.via.issuer, sub: session.via.subject },
    };
  } else {
    context.assumedBy = { accessKeyId: session.via.callerAccessKeyId, arn: session.via.callerArn };
  }
  if (session.sourceIdentity !== undefined) context.sourceIdentity = session.sourceIdentity;
  if (session.tags.length > 0) {
    context.sessionTags = Object.fromEntries(session.tags.map((tag) => [tag.Key, tag.Value]));
  }
  return context;
}

/**
 * CloudTrail's `WebIdentityUser`: the caller of AssumeRoleWithWebIdentity once its token was
 * verified (refused or not), named by issuer, audience and subject — never by the token.
 */
export function webIdentityUserOf(who: AuditWebIdentity): AuditUserIdentity {
  const issuer = who.issuer.replace(/^https?:\/\//, "");
  return {
    type: "WebIdentityUser",
    arn: "",
    accountId: "",
    accessKeyId: "",
    principalId: `${issuer}:${who.audience}:${who.subject}`,
    userName: who.subject,
    identityProvider: who.issuer,
  };
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
