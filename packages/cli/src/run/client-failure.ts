import {
  AccessDeniedError,
  BackendUnavailableError,
  CofferClientError,
  SecretNotFoundError,
  SecretValidationError,
} from "@coffer/client";
import { CliError } from "../errors.js";
import { ExitCode } from "../exit-codes.js";

/**
 * Gives the client library's errors the CLI's exit codes (their messages never contain values);
 * anything else is returned as it is, for `describeFailure`.
 */
export function asCliFailure(error: unknown): unknown {
  if (!(error instanceof CofferClientError)) return error;
  const unavailable = oneUnavailableSource(error);
  if (unavailable !== undefined) return new CliError(unavailable, ExitCode.Unreachable);
  return new CliError(error.message, exitCodeOf(error));
}

/**
 * One line when nothing could be read because the source was unreachable (every failed reference
 * failed the same way): "coffer: no answer within 10 s", not one line per reference.
 */
function oneUnavailableSource(error: CofferClientError): string | undefined {
  const causes = error instanceof BackendUnavailableError ? [error] : causesOf(error);
  if (causes.length === 0 || !causes.every((cause) => cause instanceof BackendUnavailableError)) {
    return undefined;
  }
  const reasons = new Set(
    (causes as BackendUnavailableError[]).map((cause) => cause.message.replace(/ \(secret '.*'\)$/, "")),
  );
  if (reasons.size !== 1) return undefined;
  const [reason] = reasons;
  return `cannot read secrets: ${reason}`;
}

function exitCodeOf(error: CofferClientError): ExitCode {
  if (error instanceof SecretNotFoundError) return ExitCode.NotFound;
  if (error instanceof AccessDeniedError) return ExitCode.AccessDenied;
  if (error instanceof BackendUnavailableError) return ExitCode.Unreachable;
  // A secret that is not the JSON asked for is like a --field the secret lacks.
  if (error instanceof SecretValidationError) return ExitCode.Usage;
  const causes = causesOf(error);
  if (causes.length > 0) {
    // `resolve` lists every reference that failed: "not found" only if all of them are missing,
    // else the first other reason (access denied, unreachable…).
    const codes = causes.map((cause) =>
      cause instanceof CofferClientError ? exitCodeOf(cause) : ExitCode.ServiceError,
    );
    return codes.find((code) => code !== ExitCode.NotFound) ?? ExitCode.NotFound;
  }
  return ExitCode.ServiceError;
}

/** The errors inside `resolve`'s rejection, which lists each failed reference as `failures[].error`. */
function causesOf(error: CofferClientError): unknown[] {
  const failures: unknown = Reflect.get(error, "failures");
  if (!Array.isArray(failures)) return [];
  return failures.map((failure: unknown) =>
    typeof failure === "object" && failure !== null ? Reflect.get(failure, "error") : undefined,
  );
}
