import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import {
  AUDIT_EVENT_SOURCE,
  AUDIT_EVENT_VERSION,
  type AuditEvent,
  SECRET_RESOURCE_TYPE,
} from "../audit/event.js";
import type { RotationCredentialAuditRecord } from "../domain/identity/rotation-credentials.js";

export const issueRotationCredentialsEventName = "IssueRotationCredentials";
export const revokeRotationCredentialsEventName = "RevokeRotationCredentials";

/**
 * The service event for rotation credentials issued or revoked: which secret, which session
 * principal and key id, until when. Never the secret half or the session token. The server itself
 * does this (no caller asked), so the identity is `CofferService`.
 */
export function rotationCredentialEvent(
  record: RotationCredentialAuditRecord,
  accountId: string,
): AuditEvent {
  return {
    eventVersion: AUDIT_EVENT_VERSION,
    userIdentity: { type: "CofferService", arn: "", accountId, accessKeyId: "" },
    eventTime: new Date(record.time).toISOString(),
    eventSource: AUDIT_EVENT_SOURCE,
    eventName:
      record.action === "issue" ? issueRotationCredentialsEventName : revokeRotationCredentialsEventName,
    awsRegion: record.region,
    sourceIPAddress: "localhost",
    userAgent: `coffer server (host ${hostname()}, pid ${process.pid})`,
    requestParameters: { secretId: record.secretArn },
    responseElements: {
      principal: record.principal,
      accessKeyId: record.accessKeyId,
      expiration: new Date(record.expiresAt).toISOString(),
    },
    requestID: randomUUID(),
    eventID: randomUUID(),
    readOnly: false,
    resources: [{ ARN: record.secretArn, accountId, type: SECRET_RESOURCE_TYPE }],
    eventType: "AwsServiceEvent",
    managementEvent: true,
    eventCategory: "Management",
    recipientAccountId: accountId,
  };
}
