import type { AuditEvent } from "../audit/event.js";
import type { RotationAuditEntry } from "../domain/rotation/rotation-audit.js";
import { serviceAuditEvent } from "./service-audit-event.js";

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
  return serviceAuditEvent({
    eventName: entry.event,
    time: entry.time,
    region: entry.region,
    accountId,
    secretArn: entry.secretArn,
    additionalEventData: additional,
    ...(failed ? { errorCode: "RotationFailed", errorMessage: entry.message ?? "" } : {}),
    ...(!failed && entry.message !== undefined ? { errorMessage: entry.message } : {}),
  });
}
