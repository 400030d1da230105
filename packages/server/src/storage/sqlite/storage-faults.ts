import { ServiceUnavailableException } from "../../errors/catalog.js";
import { translatingErrors } from "../translating-errors.js";

/**
 * SQLite result codes that mean the storage cannot be used for now, not that the data or the
 * request is wrong: a full disk, an I/O error, a file made read-only, a lock held too long. A
 * request that meets one is refused with a retryable 503 (it is the same fault that stops the
 * audit trail) instead of an internal error.
 */
const transientCodes = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|BUSY|LOCKED)(_|$)/;

export function isTransientStorageFault(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && transientCodes.test(code);
}

function translated(error: unknown): unknown {
  if (!isTransientStorageFault(error)) return error;
  return new ServiceUnavailableException(
    "The server's storage cannot be written for now (for example, its disk is full); nothing was changed. Retry later.",
    { cause: error },
  );
}

/**
 * The same store, whose methods (sync or async) report transient storage faults as
 * {@link ServiceUnavailableException}. Nested stores named in `nested` are wrapped too.
 */
export function withStorageFaults<T extends object>(store: T, nested: ReadonlyArray<keyof T> = []): T {
  return translatingErrors(store, translated, nested);
}
