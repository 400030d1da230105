import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import {
  AUDIT_EVENT_SOURCE,
  AUDIT_EVENT_VERSION,
  type AuditEvent,
  SECRET_RESOURCE_TYPE,
} from "../audit/event.js";

/**
 * The CloudTrail envelope of an event the service itself records, not a caller (AWS's
 * `AwsServiceEvent`: rotation and replication facts): Coffer's service identity, this host as the
 * agent, one secret as the resource. The caller gives what the event says; never a value.
 */
export function serviceAuditEvent(fact: {
  eventName: string;
  time: number;
  region: string;
  accountId: string;
  secretArn: string;
  additionalEventData: Record<string, string>;
  errorCode?: string | undefined;
  errorMessage?: string | undefined;
}): AuditEvent {
  const { accountId } = fact;
  return {
    eventVersion: AUDIT_EVENT_VERSION,
    userIdentity: { type: "CofferService", arn: "", accountId, accessKeyId: "" },
    eventTime: new Date(fact.time).toISOString(),
    eventSource: AUDIT_EVENT_SOURCE,
    eventName: fact.eventName,
    awsRegion: fact.region,
    sourceIPAddress: "localhost",
    userAgent: `coffer server (host ${hostname()}, pid ${process.pid})`,
    requestParameters: null,
    responseElements: null,
    ...(fact.errorCode !== undefined ? { errorCode: fact.errorCode } : {}),
    ...(fact.errorMessage !== undefined ? { errorMessage: fact.errorMessage } : {}),
    requestID: randomUUID(),
    eventID: randomUUID(),
    readOnly: false,
    resources: [{ ARN: fact.secretArn, type: SECRET_RESOURCE_TYPE, accountId }],
    additionalEventData: fact.additionalEventData,
    eventType: "AwsServiceEvent",
    managementEvent: true,
    eventCategory: "Management",
    recipientAccountId: accountId,
  };
}
