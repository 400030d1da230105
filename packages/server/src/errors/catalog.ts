/**
 * One error hierarchy for the whole server. Each class carries the AWS error name that goes on the
 * wire as `__type`, its HTTP status and whether the client or the server is at fault, so the wire
 * layer serializes any of them without an `instanceof` ladder.
 *
 * Messages are written for the user and must never contain a secret value.
 */
export type Fault = "client" | "server";

export abstract class CofferError extends Error {
  abstract readonly awsName: string;
  readonly status: number = 400;
  readonly fault: Fault = "client";

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

// --- Errors modelled by the Secrets Manager service model -------------------------------------

export class ResourceNotFoundException extends CofferError {
  readonly awsName = "ResourceNotFoundException";
}
export class ResourceExistsException extends CofferError {
  readonly awsName = "ResourceExistsException";
}
export class InvalidParameterException extends CofferError {
  readonly awsName = "InvalidParameterException";
}
export class InvalidRequestException extends CofferError {
  readonly awsName = "InvalidRequestException";
}
export class InvalidNextTokenException extends CofferError {
  readonly awsName = "InvalidNextTokenException";
}
export class LimitExceededException extends CofferError {
  readonly awsName = "LimitExceededException";
}
export class MalformedPolicyDocumentException extends CofferError {
  readonly awsName = "MalformedPolicyDocumentException";
}
export class PreconditionNotMetException extends CofferError {
  readonly awsName = "PreconditionNotMetException";
}
export class PublicPolicyException extends CofferError {
  readonly awsName = "PublicPolicyException";
}
export class EncryptionFailure extends CofferError {
  readonly awsName = "EncryptionFailure";
}
export class DecryptionFailure extends CofferError {
  readonly awsName = "DecryptionFailure";
}
export class InternalServiceError extends CofferError {
  readonly awsName = "InternalServiceError";
  override readonly status = 500;
  override readonly fault = "server";
}

// --- Errors common to every AWS JSON service (not in the service model) -----------------------

/** A request field broke a constraint of the service model (length, pattern, range, enum, type). */
export class ValidationException extends CofferError {
  readonly awsName = "ValidationException";
}
/** The body is not valid JSON, or a field has the wrong JSON type. */
export class SerializationException extends CofferError {
  readonly awsName = "SerializationException";
}
/** `X-Amz-Target` is missing or names an operation this service does not have. */
export class UnknownOperationException extends CofferError {
  readonly awsName = "UnknownOperationException";
}
/** The content type is not `application/x-amz-json-1.1`. */
export class UnsupportedMediaTypeException extends CofferError {
  readonly awsName = "UnsupportedMediaTypeException";
  override readonly status = 415;
}
/** The request body is larger than the server accepts. */
export class RequestEntityTooLargeException extends CofferError {
  readonly awsName = "RequestEntityTooLargeException";
  override readonly status = 413;
}
/** The operation exists in the protocol but Coffer has not built it yet. */
export class NotImplementedYetException extends CofferError {
  readonly awsName = "InvalidRequestException";
}

// --- Authentication (SigV4) -------------------------------------------------------------------

export class MissingAuthenticationTokenException extends CofferError {
  readonly awsName = "MissingAuthenticationTokenException";
  override readonly status = 403;
}
export class IncompleteSignatureException extends CofferError {
  readonly awsName = "IncompleteSignatureException";
  override readonly status = 403;
}
export class InvalidSignatureException extends CofferError {
  readonly awsName = "InvalidSignatureException";
  override readonly status = 403;
}
export class UnrecognizedClientException extends CofferError {
  readonly awsName = "UnrecognizedClientException";
  override readonly status = 403;
}
export class ExpiredTokenException extends CofferError {
  readonly awsName = "ExpiredTokenException";
  override readonly status = 403;
}
/** Too many concurrent streams or requests from clients: the AWS name SDKs retry with backoff. */
export class ThrottlingException extends CofferError {
  readonly awsName = "ThrottlingException";
  override readonly status = 429;
}
/**
 * The server cannot take requests for now, and a retry later can succeed: the audit trail cannot be
 * written (full disk, read-only file), so nothing may be read or changed until it can. 503 is a
 * status every AWS SDK retries with backoff.
 */
export class ServiceUnavailableException extends CofferError {
  readonly awsName = "ServiceUnavailableException";
  override readonly status = 503;
  override readonly fault = "server";
}
/**
 * The client closed the connection (or the server's request time-out cut it) before the request
 * arrived whole. Nobody is left to answer; the audit trail records it as the client's doing.
 */
export class RequestAbortedException extends CofferError {
  readonly awsName = "RequestAbortedException";
}
export class AccessDeniedException extends CofferError {
  readonly awsName = "AccessDeniedException";
  override readonly status = 400;
}

// --- Errors of AWS STS (the Query protocol's `<Error><Code>`), modelled by its service model ---

/** The web identity token is malformed, unsigned, badly signed, or for another issuer or audience. */
export class InvalidIdentityTokenException extends CofferError {
  readonly awsName = "InvalidIdentityToken";
}
/** The web identity token has expired (STS's code, with STS's status; not SigV4's 403). */
export class ExpiredWebIdentityTokenException extends CofferError {
  readonly awsName = "ExpiredTokenException";
}
/** The identity provider's keys could not be fetched. */
export class IdpCommunicationErrorException extends CofferError {
  readonly awsName = "IDPCommunicationError";
}
/** The token is valid but its claims are refused (STS: e.g. the provider is not trusted for the role). */
export class IdpRejectedClaimException extends CofferError {
  readonly awsName = "IDPRejectedClaim";
  override readonly status = 403;
}
/** STS's denial: the trust policy (or the caller's identity policy) does not allow the session. */
export class StsAccessDeniedException extends CofferError {
  readonly awsName = "AccessDenied";
  override readonly status = 403;
}
/** STS's MalformedPolicyDocument (a session policy that does not parse). */
export class StsMalformedPolicyDocumentException extends CofferError {
  readonly awsName = "MalformedPolicyDocument";
}
/** STS's PackedPolicyTooLarge: session tags and policies over the size STS allows. */
export class PackedPolicyTooLargeException extends CofferError {
  readonly awsName = "PackedPolicyTooLarge";
}
/** STS's ValidationError: a parameter broke its constraint (STS's name for ValidationException). */
export class StsValidationError extends CofferError {
  readonly awsName = "ValidationError";
}

// --- Errors common to every AWS Query service (STS), with no AWS JSON counterpart --------------

/** The form body cannot be read: a broken percent escape, a repeated parameter, bytes that are not UTF-8. */
export class MalformedQueryStringException extends CofferError {
  readonly awsName = "MalformedQueryString";
}
/** The form names no `Action`. */
export class MissingActionException extends CofferError {
  readonly awsName = "MissingAction";
}
/** A parameter of the protocol itself (`Version`) is missing. */
export class MissingParameterException extends CofferError {
  readonly awsName = "MissingParameter";
}
