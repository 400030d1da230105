/**
 * An audit event could not be committed. The call it describes must fail: no access goes unaudited.
 * The message is safe to log; `cause` holds the engine's error.
 */
export class AuditWriteError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AuditWriteError";
  }
}

/**
 * A change was made but an event recording its outcome could not be written; its intent event
 * stands. The client is told the change was made (a retry with the same ClientRequestToken is safe).
 */
export class OutcomeUnrecorded extends Error {
  constructor(cause: unknown) {
    super("The outcome of a change could not be recorded.", { cause });
    this.name = "OutcomeUnrecorded";
  }
}
