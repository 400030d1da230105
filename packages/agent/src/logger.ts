/**
 * Where the agent reports what it does. Callers receive metadata only (path, status, secret id,
 * error names): the agent never hands a secret value or the token to a logger.
 */
export interface AgentLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** False when `debug` drops everything: the agent then skips what only a debug line needs (timing). */
  readonly debugEnabled?: boolean;
}

const ignore = () => {};

export const silentLogger: AgentLogger = {
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
  debugEnabled: false,
};
