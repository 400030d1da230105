import { randomUUID } from "node:crypto";
import { hostname, userInfo } from "node:os";
import {
  AUDIT_EVENT_SOURCE,
  AUDIT_EVENT_VERSION,
  type AuditEvent,
  type AuditUserIdentity,
  type JsonObject,
} from "../audit/event.js";

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

/**
 * A CloudTrail event for what someone did at the data folder (`coffer admin recover`,
 * `coffer serve --acknowledge-audit-gap`): the OS user, from localhost, by the named command.
 */
export function localOperatorEvent(input: {
  accountId: string;
  region: string;
  time: number;
  eventName: string;
  command: string;
  requestParameters: JsonObject;
  responseElements: JsonObject;
}): AuditEvent {
  return {
    eventVersion: AUDIT_EVENT_VERSION,
    userIdentity: localOperatorIdentity(input.accountId),
    eventTime: new Date(input.time).toISOString(),
    eventSource: AUDIT_EVENT_SOURCE,
    eventName: input.eventName,
    awsRegion: input.region,
    sourceIPAddress: "localhost",
    userAgent: `${input.command} (host ${hostname()}, pid ${process.pid})`,
    requestParameters: input.requestParameters,
    responseElements: input.responseElements,
    requestID: randomUUID(),
    eventID: randomUUID(),
    readOnly: false,
    eventType: "AwsApiCall",
    managementEvent: true,
    eventCategory: "Management",
    recipientAccountId: input.accountId,
  };
}
