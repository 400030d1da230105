import { CofferError, InternalServiceError } from "../errors/catalog.js";

export interface WireError {
  status: number;
  awsName: string;
  body: string;
}

/** The AWS JSON 1.1 error envelope: `{"__type": "<Name>", "message": "…"}`. */
export function toWireError(error: unknown, requestId: string): WireError {
  const known =
    error instanceof CofferError
      ? error
      : new InternalServiceError(
          `An internal error occurred; the request id is ${requestId}. Retry the request.`,
        );
  return {
    status: known.status,
    awsName: known.awsName,
    body: JSON.stringify({ __type: known.awsName, message: known.message, Message: known.message }),
  };
}
