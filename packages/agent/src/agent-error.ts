/** An answer other than 200: status, AWS-style error name, and a message that never holds a value. */
export interface AgentError {
  status: number;
  type: string;
  message: string;
}

export const refusals = {
  forwarded: {
    status: 400,
    type: "InvalidRequestException",
    message: "forwarded requests (Forwarded, Via, X-Real-IP or X-Forwarded-* header) are refused",
  },
  missingToken: {
    status: 401,
    type: "MissingAuthenticationTokenException",
    message: "missing X-Aws-Parameters-Secrets-Token header",
  },
  wrongToken: {
    status: 403,
    type: "UnrecognizedClientException",
    message: "the X-Aws-Parameters-Secrets-Token header does not match the agent's token",
  },
  unknownPath: { status: 404, type: "UnknownOperationException", message: "no such path" },
  methodNotAllowed: { status: 405, type: "UnknownOperationException", message: "only GET is supported" },
} as const satisfies Record<string, AgentError>;

export function badQuery(message: string): AgentError {
  return { status: 400, type: "ValidationException", message };
}
