import { type ClientConfig, DEFAULT_AGENT_URL, DEFAULT_DOTENV_PATH, DEFAULT_FILES_DIR } from "../config.js";
import { CofferClientError } from "../errors.js";
import type { Backend, SourceSpec } from "../types.js";
import { AgentBackend } from "./agent.js";
import { DotenvBackend } from "./dotenv.js";
import { EnvBackend } from "./env.js";
import { FilesBackend } from "./files.js";
import { SecretsManagerBackend } from "./secrets-manager.js";

/** A built-in backend from its spec; what the spec leaves out comes from the configuration. */
export function createBackend(spec: SourceSpec, config: ClientConfig): Backend {
  switch (spec.kind) {
    case "coffer":
      return new SecretsManagerBackend({
        kind: "coffer",
        client: spec.client,
        endpoint: spec.endpoint ?? config.cofferEndpoint,
        region: spec.region ?? config.region,
        timeouts: spec.timeouts ?? config.timeouts,
      });
    case "aws":
      return new SecretsManagerBackend({
        kind: "aws",
        client: spec.client,
        region: spec.region ?? config.region,
        timeouts: spec.timeouts ?? config.timeouts,
      });
    case "env":
      return new EnvBackend(spec.env ?? config.env);
    case "files":
      return new FilesBackend(spec.dir ?? DEFAULT_FILES_DIR);
    case "dotenv":
      return new DotenvBackend(spec.path ?? DEFAULT_DOTENV_PATH);
    case "agent":
      return new AgentBackend({ url: spec.url ?? DEFAULT_AGENT_URL, token: spec.token ?? config.agentToken });
    default:
      throw new CofferClientError(
        `Unknown source kind "${String((spec as { kind?: unknown }).kind)}"; expected coffer, aws, env, files, dotenv or agent.`,
      );
  }
}
