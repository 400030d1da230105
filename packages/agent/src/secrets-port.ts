import type { SecretsClient } from "@coffer/client";

/**
 * The one call the agent makes on the client library. Any `SecretsClient` fits, and tests pass a
 * small fake; caching (TTL, size, refresh) is the client library's job, not the agent's.
 */
export type AgentSecrets = Pick<SecretsClient, "getRecord">;
