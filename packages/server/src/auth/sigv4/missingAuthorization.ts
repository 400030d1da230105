import {
  type CofferError,
  IncompleteSignatureException,
  MissingAuthenticationTokenException,
} from "../../errors/catalog.js";
import { SIGV4_ALGORITHM } from "./parseAuthorization.js";

const PRESIGNED_QUERY = /[?&]x-amz-(?:algorithm|credential|signature)=/i;

/**
 * The error for a request without an `Authorization` header: AWS's "Missing Authentication Token",
 * or, when the query string carries a presigned-URL signature, a message saying that form is not
 * supported (so the client is not told it sent no credentials at all).
 */
export function missingAuthorization(rawUrl: string): CofferError {
  if (PRESIGNED_QUERY.test(rawUrl)) {
    return new IncompleteSignatureException(
      "Query-string (presigned URL) authentication is not supported: sign the request with the " +
        `'Authorization: ${SIGV4_ALGORITHM} ...' header.`,
    );
  }
  return new MissingAuthenticationTokenException("Missing Authentication Token");
}
