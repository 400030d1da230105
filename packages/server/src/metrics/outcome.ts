/**
 * A request's outcome as a bounded label value: `ok`, `denied`, `auth_failure`, `server_error`, or
 * the name of the client error (`ResourceNotFoundException`). Names come from the error catalog
 * (a fixed set), in the protocol the API speaks (STS's Query codes differ: `SignatureDoesNotMatch`).
 */

/** The coarse class a latency histogram is split by (five values). */
export type ResultClass = "ok" | "client_error" | "denied" | "auth_failure" | "server_error";

/** SigV4 and credential failures in AWS JSON (Secrets Manager, Coffer's admin API). */
const jsonAuthFailures = new Set([
  "MissingAuthenticationTokenException",
  "IncompleteSignatureException",
  "InvalidSignatureException",
  "UnrecognizedClientException",
  "ExpiredTokenException",
]);

/** The same failures as the Query protocol (STS) names them; STS's own `ExpiredTokenException` is a web identity token's. */
const queryAuthFailures = new Set([
  "MissingAuthenticationToken",
  "IncompleteSignature",
  "SignatureDoesNotMatch",
  "InvalidClientTokenId",
  "ExpiredToken",
]);

const denials = new Set(["AccessDeniedException", "AccessDenied"]);

/** An error name that is safe as a label value (the catalog's names all are). */
const errorNamePattern = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

export function outcomeOf(api: string, status: number, errorType: string | undefined): string {
  if (status < 400) return "ok";
  if (status >= 500) return "server_error";
  if (errorType === undefined) return "client_error";
  if (denials.has(errorType)) return "denied";
  if ((api === "sts" ? queryAuthFailures : jsonAuthFailures).has(errorType)) return "auth_failure";
  return errorNamePattern.test(errorType) ? errorType : "client_error";
}

export function resultClassOf(outcome: string): ResultClass {
  switch (outcome) {
    case "ok":
    case "denied":
    case "auth_failure":
    case "server_error":
      return outcome;
    default:
      return "client_error";
  }
}
