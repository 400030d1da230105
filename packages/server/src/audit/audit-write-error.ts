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
