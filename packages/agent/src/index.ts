export type { AgentError } from "./agent-error.js";
export type { CacheStats, HealthReport, Outcome } from "./agent-stats.js";
export { type CacheCounter, countCacheEvents } from "./cache-stats.js";
export type { AgentLogger } from "./logger.js";
export type { GetSecretValueResponse } from "./secret-response.js";
export type { AgentSecrets } from "./secrets-port.js";
export {
  type AgentHost,
  type AgentOptions,
  AgentOptionsError,
  DEFAULT_AGENT_PORT,
  type RunningAgent,
  startAgent,
} from "./start-agent.js";
export { TOKEN_HEADER } from "./token-check.js";
