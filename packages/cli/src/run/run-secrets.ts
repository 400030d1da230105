import type { SecretsClient } from "@coffer/client";

/** The calls `coffer run` makes; any `SecretsClient` fits, and tests pass a small fake. */
export type RunSecrets = Pick<SecretsClient, "resolve" | "getJson" | "close">;
