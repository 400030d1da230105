import { checkedEndpointUrl, DEFAULT_COFFER_ENDPOINT, endpointFromEnvironment } from "./endpoint.js";
import { CofferClientError } from "./errors.js";
import {
  DEFAULT_CONNECT_TIMEOUT_SECONDS,
  DEFAULT_READ_TIMEOUT_SECONDS,
  type Timeouts,
} from "./sdk-client.js";
import type { SourceKind, SourceSpec } from "./types.js";

/**
 * Configuration from the environment. This module is the only reader of `process.env`; the
 * process's configuration is parsed once, on first use, by `processConfig()`.
 */

export { DEFAULT_COFFER_ENDPOINT };
export const DEFAULT_FILES_DIR = "/run/secrets";
export const DEFAULT_DOTENV_PATH = ".env";
export const DEFAULT_AGENT_URL = "http://127.0.0.1:2773";

export type Environment = Readonly<Record<string, string | undefined>>;

export interface ClientConfig {
  /** COFFER_SOURCE as set, if set (parsed by `configuredSources`). */
  sourceList: string | undefined;
  /**
   * COFFER_ENDPOINT, AWS_ENDPOINT_URL_SECRETS_MANAGER or AWS_ENDPOINT_URL (the first set; the AWS
   * ones not with AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true), if any: `endpointFromEnvironment`.
   */
  cofferEndpoint: string | undefined;
  /** COFFER_CONNECT_TIMEOUT and COFFER_READ_TIMEOUT (seconds), else 3 and 10. */
  timeouts: Timeouts;
  /** AWS_REGION or AWS_DEFAULT_REGION, if set (the JS SDK alone ignores AWS_DEFAULT_REGION). */
  region: string | undefined;
  /** COFFER_AGENT_TOKEN or AWS_TOKEN, if set (may be `file://…`). */
  agentToken: string | undefined;
  /** COFFER_REPORT_METRICS (whole seconds, 1 to 86400), if set and not 0: `reportMetrics` by default. */
  reportMetricsSeconds: number | undefined;
  /** The variables the `env` source reads: the process environment itself. */
  env: Environment;
}

const kinds: readonly SourceKind[] = ["coffer", "aws", "env", "files", "dotenv", "agent"];

/** Parses a configuration from the given variables (pure; tests pass their own). */
export function parseConfig(env: Environment): ClientConfig {
  const cofferEndpoint = endpointFromEnvironment(undefined, env)?.url;
  const region = nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  const agentToken = nonEmpty(env.COFFER_AGENT_TOKEN) ?? nonEmpty(env.AWS_TOKEN);
  const timeouts = {
    connectSeconds: seconds(env, "COFFER_CONNECT_TIMEOUT") ?? DEFAULT_CONNECT_TIMEOUT_SECONDS,
    readSeconds: seconds(env, "COFFER_READ_TIMEOUT") ?? DEFAULT_READ_TIMEOUT_SECONDS,
  };
  const reportMetricsSeconds = wholeSeconds(env, "COFFER_REPORT_METRICS");
  return {
    sourceList: nonEmpty(env.COFFER_SOURCE),
    cofferEndpoint,
    region,
    agentToken,
    timeouts,
    reportMetricsSeconds,
    env,
  };
}

/** A time-out in seconds from the environment: a positive number (fractions allowed), else an error. */
function seconds(env: Environment, name: string): number | undefined {
  const text = nonEmpty(env[name]?.trim());
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || value > 3600) {
    throw new CofferClientError(`${name}: "${text}" is not a number of seconds between 0 and 3600.`);
  }
  return value;
}

/** Whole seconds from 1 to 86400 from the environment; 0 or unset is undefined (off), else an error. */
function wholeSeconds(env: Environment, name: string): number | undefined {
  const text = nonEmpty(env[name]?.trim());
  if (text === undefined) return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value > 86_400) {
    throw new CofferClientError(`${name}: "${text}" is not a whole number of seconds from 0 to 86400.`);
  }
  return value === 0 ? undefined : value;
}

/** The sources to use when the code names none: COFFER_SOURCE, else ["coffer"] when an endpoint is configured, else ["aws"]. */
export function configuredSources(config: ClientConfig): SourceSpec[] {
  if (config.sourceList !== undefined) return parseSourceList(config.sourceList);
  return config.cofferEndpoint !== undefined ? [{ kind: "coffer" }] : [{ kind: "aws" }];
}

/**
 * COFFER_SOURCE: comma-separated `kind[:argument]` in order, e.g. `env,files:/etc/app,coffer`.
 * Arguments: coffer → endpoint URL, aws → region, files → folder, dotenv → file, agent → URL.
 */
export function parseSourceList(list: string): SourceSpec[] {
  const specs: SourceSpec[] = [];
  for (const raw of list.split(",")) {
    const token = raw.trim();
    if (token === "") continue;
    const colon = token.indexOf(":");
    const kind = (colon === -1 ? token : token.slice(0, colon)).trim().toLowerCase();
    const argument = colon === -1 ? undefined : nonEmpty(token.slice(colon + 1).trim());
    specs.push(sourceSpec(kind, argument, token));
  }
  if (specs.length === 0) throw new CofferClientError("COFFER_SOURCE names no source.");
  return specs;
}

function sourceSpec(kind: string, argument: string | undefined, token: string): SourceSpec {
  switch (kind) {
    case "coffer":
      return argument === undefined ? { kind } : { kind, endpoint: checkedEndpointUrl(argument, token) };
    case "aws":
      return argument === undefined ? { kind } : { kind, region: argument };
    case "env":
      if (argument !== undefined)
        throw new CofferClientError(`COFFER_SOURCE: "env" takes no argument (got "${token}").`);
      return { kind };
    case "files":
      return argument === undefined ? { kind } : { kind, dir: argument };
    case "dotenv":
      return argument === undefined ? { kind } : { kind, path: argument };
    case "agent":
      return argument === undefined ? { kind } : { kind, url: checkedEndpointUrl(argument, token) };
    default:
      throw new CofferClientError(
        `COFFER_SOURCE: unknown source "${kind}" in "${token}"; expected one of ${kinds.join(", ")}.`,
      );
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

let cached: ClientConfig | undefined;

/** The process's configuration, parsed from `process.env` once, on first use. */
export function processConfig(): ClientConfig {
  cached ??= parseConfig(process.env);
  return cached;
}
