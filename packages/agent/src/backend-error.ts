import {
  AccessDeniedError,
  BackendUnavailableError,
  CofferClientError,
  SecretNotFoundError,
} from "@coffer/client";
import type { AgentError } from "./agent-error.js";

/**
 * Maps what the client library threw to the agent's answer. The agent is a proxy: a missing secret
 * or a denied read is the caller's to fix (404, 403), a backend it cannot reach is not (502 Bad
 * Gateway, as a proxy answers when its upstream fails). The client library's messages never contain
 * values; anything else is a fault of the agent (500), reported without its message, which might
 * quote input.
 */
export function backendErrorToAgentError(error: unknown): AgentError {
  if (error instanceof SecretNotFoundError) {
    return { status: 404, type: "ResourceNotFoundException", message: error.message };
  }
  if (error instanceof AccessDeniedError) {
    return { status: 403, type: "AccessDeniedException", message: error.message };
  }
  if (error instanceof BackendUnavailableError) {
    return { status: 502, type: "BackendUnavailableException", message: error.message };
  }
  // The rest of the client's errors are about the request: an unknown reference scheme, an empty
  // #field, a value that is not what was asked for.
  if (error instanceof CofferClientError) {
    return { status: 400, type: "ValidationException", message: error.message };
  }
  return { status: 500, type: "InternalServiceError", message: "the agent failed to read the secret" };
}
