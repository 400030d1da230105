import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { AuditOutage } from "../audit/audit-log.js";
import { AUDIT_EVENT_SOURCE, AUDIT_EVENT_VERSION, type AuditEvent } from "../audit/event.js";

export const outageEventName = "AuditTrailOutage";

/**
 * The event the server writes first once its audit trail can be written again: when the outage
 * began and ended, why, and how many events (each a refused request) it cost. Nobody asked for
 * it, so it is a service event of the server itself.
 */
export function auditOutageEvent(
  outage: AuditOutage & { endedAt: number },
  scope: { accountId: string; region: string },
): AuditEvent {
  return {
    eventVersion: AUDIT_EVENT_VERSION,
    userIdentity: { type: "CofferService", arn: "", accountId: scope.accountId, accessKeyId: "" },
    eventTime: new Date(outage.endedAt).toISOString(),
    eventSource: AUDIT_EVENT_SOURCE,
    eventName: outageEventName,
    awsRegion: scope.region,
    sourceIPAddress: "localhost",
    userAgent: `coffer server (host ${hostname()}, pid ${process.pid})`,
    requestParameters: null,
    responseElements: null,
    additionalEventData: {
      outageStarted: new Date(outage.since).toISOString(),
      outageEnded: new Date(outage.endedAt).toISOString(),
      reason: outage.reason,
      refusedEvents: outage.refusedEvents,
    },
    requestID: randomUUID(),
    eventID: randomUUID(),
    readOnly: false,
    eventType: "AwsServiceEvent",
    managementEvent: true,
    eventCategory: "Management",
    recipientAccountId: scope.accountId,
  };
}
