import {
  AccessDeniedException,
  type CofferError,
  ExpiredTokenException,
  IncompleteSignatureException,
  InternalServiceError,
  InvalidParameterException,
  InvalidSignatureException,
  MissingAuthenticationTokenException,
  NotImplementedYetException,
  RequestEntityTooLargeException,
  SerializationException,
  ServiceUnavailableException,
  ThrottlingException,
  UnknownOperationException,
  UnrecognizedClientException,
  ValidationException,
} from "../errors/catalog.js";

/** How a Query service (STS) names an error, where that differs from AWS JSON's name. */
interface QueryCode {
  code: string;
  status?: number;
}

/**
 * AWS JSON's errors under the names STS answers with (AWS's Query protocol common errors), by
 * class: SigV4's ExpiredTokenException (403, expired credentials) is STS's `ExpiredToken`, while
 * STS's own `ExpiredTokenException` (an expired web identity token) keeps its name. Errors not
 * listed here (STS's own, and any the model names) go out under their own name.
 */
const queryCodes = new Map<abstract new (...args: never[]) => CofferError, QueryCode>([
  [ValidationException, { code: "ValidationError" }],
  // A value that cannot be read as its type (`DurationSeconds=ten`); a broken body is MalformedQueryString.
  [SerializationException, { code: "InvalidParameterValue" }],
  [InvalidParameterException, { code: "InvalidParameterValue" }],
  [UnknownOperationException, { code: "InvalidAction" }],
  // An action this server cannot answer as configured (role sessions not wired): not STS's to retry.
  [NotImplementedYetException, { code: "InvalidAction" }],
  [AccessDeniedException, { code: "AccessDenied", status: 403 }],
  [MissingAuthenticationTokenException, { code: "MissingAuthenticationToken" }],
  [IncompleteSignatureException, { code: "IncompleteSignature" }],
  [InvalidSignatureException, { code: "SignatureDoesNotMatch" }],
  [UnrecognizedClientException, { code: "InvalidClientTokenId" }],
  [ExpiredTokenException, { code: "ExpiredToken" }],
  [ThrottlingException, { code: "Throttling" }],
  [ServiceUnavailableException, { code: "ServiceUnavailable" }],
  [InternalServiceError, { code: "InternalFailure" }],
  [RequestEntityTooLargeException, { code: "RequestEntityTooLarge" }],
]);

/** The Query `<Code>` and HTTP status of an error. */
export function queryCodeOf(error: CofferError): { code: string; status: number } {
  const mapped = queryCodes.get(error.constructor as abstract new (...args: never[]) => CofferError);
  return { code: mapped?.code ?? error.awsName, status: mapped?.status ?? error.status };
}
