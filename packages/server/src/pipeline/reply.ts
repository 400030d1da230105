import { ServiceUnavailableException } from "../errors/catalog.js";
import type { Reply } from "./transport-call.js";
import { toWireError } from "./wire-error.js";

const auditRefusal =
  "The audit trail cannot be written, so this request was refused and nothing was changed or read. Retry later; the server recovers by itself once the trail can be written.";
const outcomeUnrecorded =
  "The change was made, but the audit trail could not record its outcome (its intent is recorded). Retry later with the same ClientRequestToken; the retry is safe.";

export function okReply(requestId: string, body: string): Reply {
  return { status: 200, requestId, body };
}

export function errorReply(error: unknown, requestId: string): Reply {
  const wire = toWireError(error, requestId);
  return { status: wire.status, requestId, body: wire.body, errorType: wire.awsName };
}

/** 503: the audit trail failed, so the request is refused (or, after a change, unconfirmed). */
export function auditFailureReply(changed: boolean, requestId: string): Reply {
  return errorReply(new ServiceUnavailableException(changed ? outcomeUnrecorded : auditRefusal), requestId);
}
