import {
  DEFAULT_COFFER_ENDPOINT,
  DEFAULT_CONNECT_TIMEOUT_SECONDS,
  DEFAULT_READ_TIMEOUT_SECONDS,
  EndpointConfigError,
  type ResolvedEndpoint,
  resolveEndpoint,
  type Timeouts,
} from "@coffer/client";
import { UsageError } from "./errors.js";

/** Where a local `coffer serve` listens by default. */
export const DEFAULT_ENDPOINT = DEFAULT_COFFER_ENDPOINT;
/** Coffer ignores the region except in signatures, so any fixed value works when none is configured. */
export const DEFAULT_REGION = "us-east-1";

export interface CliEndpoint {
  url: string;
  /** Where it came from, for messages: "--endpoint-url", "COFFER_ENDPOINT", …, "default". */
  source: string;
}

/**
 * The endpoint of every command (get, run, agent, admin…), with the client library's one precedence:
 * --endpoint-url, COFFER_ENDPOINT, AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL, the AWS
 * profile's endpoint_url, http://127.0.0.1:7373 (AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true skips the
 * AWS ones). Falling back to AWS's public endpoint, as the SDK would, is never what a Coffer user means.
 */
export async function chooseEndpoint(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  fromProfile?: () => Promise<string | undefined>,
): Promise<CliEndpoint> {
  let resolved: ResolvedEndpoint;
  try {
    resolved = await resolveEndpoint({
      explicit: flag,
      env,
      ...(fromProfile !== undefined && { fromProfile }),
    });
  } catch (error) {
    if (error instanceof EndpointConfigError) {
      throw new UsageError(error.message.replace(/^explicit:/, "--endpoint-url:"));
    }
    throw error;
  }
  return { url: resolved.url, source: resolved.source === "explicit" ? "--endpoint-url" : resolved.source };
}

/** --connect-timeout / --read-timeout (seconds), else COFFER_CONNECT_TIMEOUT / COFFER_READ_TIMEOUT, else 3 and 10. */
export function chooseTimeouts(
  flags: { connectTimeout?: string | undefined; readTimeout?: string | undefined },
  env: NodeJS.ProcessEnv,
): Timeouts {
  return {
    connectSeconds:
      seconds(flags.connectTimeout, "--connect-timeout") ??
      seconds(env.COFFER_CONNECT_TIMEOUT, "COFFER_CONNECT_TIMEOUT") ??
      DEFAULT_CONNECT_TIMEOUT_SECONDS,
    readSeconds:
      seconds(flags.readTimeout, "--read-timeout") ??
      seconds(env.COFFER_READ_TIMEOUT, "COFFER_READ_TIMEOUT") ??
      DEFAULT_READ_TIMEOUT_SECONDS,
  };
}

function seconds(text: string | undefined, where: string): number | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || value > 3600) {
    throw new UsageError(`${where} takes a number of seconds above 0 and at most 3600, got "${text}"`);
  }
  return value;
}

/**
 * The region given outright, in the AWS CLI's order. The JavaScript SDK reads AWS_REGION and the
 * profile's `region` itself but not AWS_DEFAULT_REGION, which the AWS CLI and Python SDK honour.
 */
export function explicitRegion(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return [flag, env.AWS_REGION, env.AWS_DEFAULT_REGION].find(
    (region) => region !== undefined && region !== "",
  );
}
