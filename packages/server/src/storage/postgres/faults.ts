import { InternalServiceError, InvalidParameterException } from "../../errors/catalog.js";
/**
 * PostgreSQL faults that mean the database cannot serve for now, not that the data or the request
 * is wrong: the server is down, restarting or refusing connections, the connection broke, the
 * server ran out of resources, a statement hit its timeout, or a transaction lost a serialization
 * race or a deadlock (the store does not retry those itself; the client's retry is safe, since a
 * failed transaction changed nothing). The server maps them to a retryable error.
 */
export function isTransientPostgresFault(error: unknown): boolean {
  for (let cause = error, depth = 0; cause !== undefined && cause !== null && depth < 5; depth++) {
    if (isTransientOne(cause)) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

const transientNodeCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "EHOSTDOWN",
  "EAI_AGAIN",
  "ENOTFOUND",
]);

/** What node-postgres says (errors without a SQLSTATE) when a connection breaks or cannot be made. */
const brokenConnection =
  /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Query read timeout|Connection is closed|not queryable|Client was closed/i;

function isTransientOne(error: unknown): boolean {
  if (typeof error !== "object") return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === "string") {
    if (transientNodeCodes.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code)) return isTransientSqlState(code);
  }
  return typeof message === "string" && brokenConnection.test(message);
}

function isTransientSqlState(code: string): boolean {
  return (
    code.startsWith("08") || // connection exception
    code.startsWith("53") || // insufficient resources
    code === "57P01" || // admin_shutdown (the backend was terminated)
    code === "57P02" || // crash_shutdown
    code === "57P03" || // cannot_connect_now (starting up, shutting down, recovering)
    code === "57014" || // query_canceled (statement_timeout)
    code === "40001" || // serialization_failure
    code === "40P01" // deadlock_detected
  );
}

/**
 * Whether the connection itself failed (so the statement most likely never ran and a fresh
 * connection may succeed), as opposed to the database refusing the statement.
 */
export function isBrokenConnection(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === "string") {
    if (transientNodeCodes.has(code)) return true;
    if (code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03") return true;
    if (/^[0-9A-Z]{5}$/.test(code)) return false;
  }
  return typeof message === "string" && brokenConnection.test(message);
}

/**
 * What a request meets when the database cannot be used for now (down, restarting, its connections
 * terminated, a statement timed out): a retryable `InternalServiceError` (500, which the AWS SDKs
 * retry), not a hang; the message says what, never the query or its values.
 */
export function translatePostgresFault(error: unknown): unknown {
  // PostgreSQL's text cannot hold U+0000, which JSON and SQLite can: only a client's text (a
  // description, a filter value, a tag) carries one, so it is the request that is refused.
  if ((error as { code?: unknown } | null)?.code === "22021")
    return new InvalidParameterException(
      "A text parameter contains the NUL character (U+0000), which Coffer cannot store.",
    );
  if (!isTransientPostgresFault(error)) return error;
  return new InternalServiceError(
    "The server's database cannot be reached or did not answer in time. Retry the request.",
    { cause: error },
  );
}
