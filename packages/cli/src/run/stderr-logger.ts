import type { AgentLogger } from "@coffer/agent";
import type { Output } from "../context.js";

type Level = "debug" | "info" | "warn" | "error";
const rank: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** JSON lines, as the server logs; callers pass metadata only, never a value. */
export function jsonLinesLogger(output: Output, level: Level): AgentLogger {
  const log = (at: Level) => (message: string, fields?: Record<string, unknown>) => {
    if (rank[at] < rank[level]) return;
    output.write(`${JSON.stringify({ time: new Date().toISOString(), level: at, message, ...fields })}\n`);
  };
  return {
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    debugEnabled: rank.debug >= rank[level],
  };
}

/** COFFER_LOG_LEVEL, as the server reads it; `info` by default. */
export function logLevelFrom(env: NodeJS.ProcessEnv): Level {
  const level = env.COFFER_LOG_LEVEL?.toLowerCase();
  return level === "debug" || level === "info" || level === "warn" || level === "error" ? level : "info";
}
