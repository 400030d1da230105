import { CofferError, InternalServiceError } from "../errors/catalog.js";

/** AWS JSON 1.1's content type, answers and errors alike. */
export const JSON_CONTENT_TYPE = "application/x-amz-json-1.1";
/** The AWS Query protocol's (STS answers XML as `text/xml`). */
export const XML_CONTENT_TYPE = "text/xml";

export interface WireError {
  status: number;
  /** The error's name on the wire (`__type`, or a Query `<Code>`). */
  awsName: string;
  /** The message on the wire, for the audit trail (never parsed back out of the body). */
  message: string;
  body: string;
  contentType: string;
}

/** A CofferError as is; anything else (an unexpected fault) as a 500 that says only the request id. */
export function knownError(error: unknown, requestId: string): CofferError {
  return error instanceof CofferError
    ? error
    : new InternalServiceError(
        `An internal error occurred; the request id is ${requestId}. Retry the request.`,
      );
}

/** The AWS JSON 1.1 error envelope: `{"__type": "<Name>", "message": "…"}`. */
export function toWireError(error: unknown, requestId: string): WireError {
  const known = knownError(error, requestId);
  return {
    status: known.status,
    awsName: known.awsName,
    message: known.message,
    contentType: JSON_CONTENT_TYPE,
    body: JSON.stringify({ __type: known.awsName, message: known.message, Message: known.message }),
  };
}
