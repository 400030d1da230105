import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import {
  AUDIT_EVENT_SOURCE,
  AUDIT_EVENT_VERSION,
  type AuditEvent,
  SECRET_RESOURCE_TYPE,
} from "../audit/event.js";
import type { RotationAuditEntry } from "../domain/rotation/rotation-audit.js";

/**
 * A rotation's fact as a CloudTrail service event, as AWS logs RotationStarted / RotationSucceeded
 * / RotationFailed / RotationAbandoned for Secrets Manager; Coffer adds one RotationStep event per
 * step and outcome. Never a value: identifiers, the step, the outcome and the rotator's message.
 */
export function rotationAuditEvent(entry: RotationAuditEntry, accountId: string): AuditEvent {
  const additional: Record<string, string> = { clientRequestToken: entry.token };
  if (entry.step !== undefined) additional.step = entry.step;
  if (entry.outcome !== undefined) additional.outcome = entry.outcome;
  if (entry.rotator !== undefined) additional.rotator = entry.rotator;
  if (entry.trigger !== undefined) additional.trigger = entry.trigger;
  const failed = entry.event === "RotationFailed" || entry.outcome === "failed";
  return {
    eventVersion: AUDIT_EVENT_VERSION,
    userIdentity: { type: "CofferService", arn: "", accountId, accessKeyId: "" },
    eventTime: new Date(entry.time).toISOString(),
    eventSource: AUDIT_EVENT_SOURCE,
    eventName: entry.event,
    awsRegion: entry.region,
    sourceIPAddress: "localhost",
    userAgent: `coffer server (host ${hostname()}, pid ${process.pid})`,
    requestParameters: null,
    responseElements: null,
    ...(failed ? { errorCode: "RotationFailed", errorMessage: entry.message ?? "" } : {}),
    ...(!failed && entry.message !== undefined ? { errorMessage: entry.message } : {}),
    requestID: randomUUID(),
    eventID: randomUUID(),
    readOnly: false,
    resources: [{ ARN: entry.secretArn, type: SECRET_RESOURCE_TYPE, accountId }],
    additionalEventData: additional,
    eventType: "AwsServiceEvent",
    managementEvent: true,
    eventCategory: "Management",
    recipientAccountId: accountId,
  };
}
