import type { ConnectionOptions } from "../client.js";
import { parseSourceList, type SourceList } from "./source-list.js";

/**
 * The sources for `coffer run` and `coffer agent`: --source if given, else the client library's own
 * default (COFFER_SOURCE; else "coffer" when an endpoint is configured, else "aws"). The global
 * --endpoint-url and --region apply to the "coffer" sources (and --region to "aws") that do not name
 * their own. Undefined leaves everything to the client library.
 */
export function chooseSources(
  sourceFlag: string | undefined,
  connection: ConnectionOptions,
  env: NodeJS.ProcessEnv,
): SourceList | undefined {
  const { endpointUrl, region } = connection;
  if (sourceFlag === undefined && endpointUrl === undefined && region === undefined) return undefined;
  const sources = sourceFlag !== undefined ? parseSourceList(sourceFlag) : defaultSources(endpointUrl, env);
  return sources.map((source) => {
    if (typeof source !== "object" || !("kind" in source)) return source;
    if (source.kind === "coffer") {
      return {
        ...source,
        ...(source.endpoint === undefined && endpointUrl !== undefined && { endpoint: endpointUrl }),
        ...(source.region === undefined && region !== undefined && { region }),
      };
    }
    if (source.kind === "aws" && source.region === undefined && region !== undefined)
      return { ...source, region };
    return source;
  });
}

function defaultSources(endpointUrl: string | undefined, env: NodeJS.ProcessEnv): SourceList {
  const fromEnv = env.COFFER_SOURCE;
  if (fromEnv !== undefined && fromEnv.trim() !== "") return parseSourceList(fromEnv, "COFFER_SOURCE");
  const endpointConfigured =
    endpointUrl !== undefined ||
    Boolean(env.COFFER_ENDPOINT) ||
    (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() !== "true" &&
      Boolean(env.AWS_ENDPOINT_URL_SECRETS_MANAGER || env.AWS_ENDPOINT_URL));
  return [{ kind: endpointConfigured ? "coffer" : "aws" }];
}

/** --profile: the AWS SDK's credential chain reads AWS_PROFILE, so set it, as `connect` does for the other commands. */
export function applyProfile(connection: ConnectionOptions): void {
  if (connection.profile !== undefined) process.env.AWS_PROFILE = connection.profile;
}
