import type { ConnectionOptions } from "../client.js";
import { chooseEndpoint, chooseTimeouts } from "../endpoint.js";
import { parseSourceList, type SourceList } from "./source-list.js";

/**
 * The sources for `coffer run` and `coffer agent`: --source if given, else COFFER_SOURCE, else
 * Coffer alone. A "coffer" source that names no endpoint gets the endpoint every other command uses
 * (`chooseEndpoint`: --endpoint-url, COFFER_ENDPOINT, AWS_ENDPOINT_URL_SECRETS_MANAGER,
 * AWS_ENDPOINT_URL, the profile's endpoint_url, http://127.0.0.1:7373); --region and the time-outs
 * apply to the "coffer" and "aws" sources that do not name their own.
 */
export async function chooseSources(
  sourceFlag: string | undefined,
  connection: ConnectionOptions,
  env: NodeJS.ProcessEnv,
  fromProfile?: () => Promise<string | undefined>,
): Promise<SourceList> {
  const { region } = connection;
  const timeouts = chooseTimeouts(connection, env);
  const fromEnv = env.COFFER_SOURCE;
  const sources: SourceList =
    sourceFlag !== undefined
      ? parseSourceList(sourceFlag)
      : fromEnv !== undefined && fromEnv.trim() !== ""
        ? parseSourceList(fromEnv, "COFFER_SOURCE")
        : [{ kind: "coffer" }];
  let endpoint: string | undefined;
  const result: SourceList = [];
  for (const source of sources) {
    if (typeof source !== "object" || !("kind" in source)) {
      result.push(source);
    } else if (source.kind === "coffer") {
      if (source.endpoint === undefined) {
        endpoint ??= (await chooseEndpoint(connection.endpointUrl, env, fromProfile)).url;
      }
      result.push({
        ...source,
        endpoint: source.endpoint ?? endpoint,
        ...(source.region === undefined && region !== undefined && { region }),
        timeouts,
      });
    } else if (source.kind === "aws") {
      result.push({
        ...source,
        ...(source.region === undefined && region !== undefined && { region }),
        timeouts,
      });
    } else {
      result.push(source);
    }
  }
  return result;
}

/** --profile: the AWS SDK's credential chain reads AWS_PROFILE, so set it, as `connect` does for the other commands. */
export function applyProfile(connection: ConnectionOptions): void {
  if (connection.profile !== undefined) process.env.AWS_PROFILE = connection.profile;
}
