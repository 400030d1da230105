import { classifyTransportFailure, type TransportFailure } from "@coffer/client";
import { ExitCode } from "./exit-codes.js";

/** A failure the CLI explains itself; its message is shown as is and must never contain a secret value. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad arguments or options: detected before any request is sent. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.Usage);
  }
}

export interface Failure {
  exitCode: ExitCode;
  message: string;
}

const accessDeniedNames = new Set([
  "AccessDeniedException",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "IncompleteSignatureException",
  "MissingAuthenticationTokenException",
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
  "ExpiredTokenException",
]);

/** True when `error` is an AWS service exception with that name (the SDK sets `name` to the AWS error code). */
export function isAwsError(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name && "$metadata" in error;
}

/** Turns anything a command throws into the message and exit code the user sees. */
export function describeFailure(error: unknown, endpoint: string | undefined): Failure {
  if (error instanceof CliError) return { exitCode: error.exitCode, message: error.message };
  if (!(error instanceof Error)) return { exitCode: ExitCode.ServiceError, message: String(error) };

  // Ctrl+C or Ctrl+D at an @inquirer prompt.
  if (error.name === "ExitPromptError" || error.name === "AbortPromptError") {
    return { exitCode: ExitCode.Usage, message: "cancelled" };
  }
  const transport = classifyTransportFailure(error);
  if (transport !== undefined) {
    return { exitCode: ExitCode.Unreachable, message: unreachableMessage(transport, endpoint) };
  }
  if (error.name === "CredentialsProviderError") {
    return {
      exitCode: ExitCode.AccessDenied,
      message:
        "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, " +
        "or choose a profile with --profile or AWS_PROFILE",
    };
  }
  // The server package's configuration errors (missing master key, bad port…) are the user's to fix.
  if (error.name === "ConfigError") return { exitCode: ExitCode.Usage, message: error.message };
  // Anything else that did not come back from the service is a local failure: no AWS name to show.
  if (!("$metadata" in error)) return { exitCode: ExitCode.ServiceError, message: error.message };
  if (error.name === "ResourceNotFoundException") {
    return { exitCode: ExitCode.NotFound, message: `${error.name}: ${error.message}` };
  }
  if (accessDeniedNames.has(error.name)) {
    return { exitCode: ExitCode.AccessDenied, message: `${error.name}: ${error.message}` };
  }
  return { exitCode: ExitCode.ServiceError, message: `${error.name}: ${error.message}` };
}

/** One line saying what went wrong on the way to `endpoint` and what to do about it. */
export function unreachableMessage(failure: TransportFailure, endpoint: string | undefined): string {
  const where = endpoint ?? "the configured endpoint";
  switch (failure.kind) {
    case "timeout":
      return `cannot reach Coffer at ${where}: ${failure.reason} (raise --connect-timeout / --read-timeout, or COFFER_CONNECT_TIMEOUT / COFFER_READ_TIMEOUT, in seconds)`;
    case "network":
      return `cannot reach Coffer at ${where}: ${failure.reason} — is \`coffer serve\` running?`;
    case "not-aws":
      return `${where} is not answering as Coffer: ${failure.reason}`;
    default:
      return `cannot reach Coffer at ${where}: ${failure.reason}`;
  }
}
