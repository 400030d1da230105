/**
 * Where the agent reports what it does. Callers receive metadata only (path, status, secret id,
 * error names): the agent never hands a secret value or the token to a logger.
 */
export interface AgentLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const ignore = () => {};

export const silentLogger: AgentLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
