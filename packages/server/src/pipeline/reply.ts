import { ServiceUnavailableException } from "../errors/catalog.js";
import type { ApiDescriptor } from "../operations/operation.js";
import { toQueryWireError } from "./query-wire-error.js";
import type { Reply } from "./transport-call.js";
import { JSON_CONTENT_TYPE, toWireError, type WireError, XML_CONTENT_TYPE } from "./wire-error.js";

const auditRefusal =
  "The audit trail cannot be written, so this request was refused and nothing was changed or read. Retry later; the server recovers by itself once the trail can be written.";
const outcomeUnrecorded =
  "The change was made, but the audit trail could not record its outcome (its intent is recorded). Retry later with the same ClientRequestToken; the retry is safe.";

export function okReply(requestId: string, body: string): Reply {
  return { status: 200, requestId, body, contentType: JSON_CONTENT_TYPE };
}

/** A Query call's answer: its result serialized as the API's XML (`<{Op}Response>`). */
export function xmlReply(api: ApiDescriptor, operation: string, requestId: string, result: object): Reply {
  if (api.protocol !== "awsQuery") throw new Error(`${api.name} does not answer in XML`);
  const body = api.serialize(operation, result, requestId);
  return { status: 200, requestId, body, contentType: XML_CONTENT_TYPE };
}

/** A failure as the protocol of the API the call was framed for writes it (AWS JSON until that is known). */
export function wireErrorOf(error: unknown, requestId: string, api?: ApiDescriptor): WireError {
  return api?.protocol === "awsQuery"
    ? toQueryWireError(error, requestId, api.xmlNamespace)
    : toWireError(error, requestId);
}

export function wireErrorReply(wire: WireError, requestId: string): Reply {
  return {
    status: wire.status,
    requestId,
    body: wire.body,
    contentType: wire.contentType,
    errorType: wire.awsName,
  };
}

export function errorReply(error: unknown, requestId: string, api?: ApiDescriptor): Reply {
  return wireErrorReply(wireErrorOf(error, requestId, api), requestId);
}

/** 503: the audit trail failed, so the request is refused (or, after a change, unconfirmed). */
export function auditFailureReply(changed: boolean, requestId: string, api?: ApiDescriptor): Reply {
  return errorReply(
    new ServiceUnavailableException(changed ? outcomeUnrecorded : auditRefusal),
    requestId,
    api,
  );
}
