/**
 * The issuer's keys could not be obtained: a network error, a timeout, an answer other than 200, an
 * answer too large, not JSON or not what was expected. Becomes IDPCommunicationError; the message
 * names the URL (the operator's or the issuer's, never a token) and what went wrong.
 */
export class IssuerUnreachableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "IssuerUnreachableError";
  }
}
