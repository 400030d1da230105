import { EndpointConfigError } from "./errors.js";

/** Where a local `coffer serve` listens by default. */
export const DEFAULT_COFFER_ENDPOINT = "http://127.0.0.1:7373";

export type EndpointSource =
  | "explicit"
  | "COFFER_ENDPOINT"
  | "AWS_ENDPOINT_URL_SECRETS_MANAGER"
  | "AWS_ENDPOINT_URL"
  | "AWS profile"
  | "default";

export interface ResolvedEndpoint {
  url: string;
  source: EndpointSource;
}

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The one endpoint precedence of Coffer's client, agent and CLI, without the profile lookup:
 * the explicit setting (`--endpoint-url`, a source's `endpoint`), then COFFER_ENDPOINT, then
 * AWS_ENDPOINT_URL_SECRETS_MANAGER, then AWS_ENDPOINT_URL — the AWS ones unless
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true. Empty values count as unset. Pure.
 */
export function endpointFromEnvironment(
  explicit: string | undefined,
  env: Environment,
): ResolvedEndpoint | undefined {
  const ignoreAws = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === "true";
  const candidates: Array<[string | undefined, EndpointSource]> = [
    [explicit, "explicit"],
    [env.COFFER_ENDPOINT, "COFFER_ENDPOINT"],
    [ignoreAws ? undefined : env.AWS_ENDPOINT_URL_SECRETS_MANAGER, "AWS_ENDPOINT_URL_SECRETS_MANAGER"],
    [ignoreAws ? undefined : env.AWS_ENDPOINT_URL, "AWS_ENDPOINT_URL"],
  ];
  for (const [url, source] of candidates) {
    if (url !== undefined && url !== "") return { url: checkedEndpointUrl(url, source), source };
  }
  return undefined;
}

/**
 * The full precedence: {@link endpointFromEnvironment}, then the AWS profile's `endpoint_url`
 * (`services` section or top level, read by the AWS SDK from AWS_PROFILE's shared config; off with
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true), then http://127.0.0.1:7373.
 */
export async function resolveEndpoint(options: {
  explicit?: string | undefined;
  env: Environment;
  /** The profile's endpoint_url; default {@link profileEndpoint}. */
  fromProfile?: () => Promise<string | undefined>;
}): Promise<ResolvedEndpoint> {
  const configured = endpointFromEnvironment(options.explicit, options.env);
  if (configured !== undefined) return configured;
  if (options.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() !== "true") {
    const fromProfile = await (options.fromProfile ?? profileEndpoint)();
    if (fromProfile !== undefined && fromProfile !== "") {
      return { url: checkedEndpointUrl(fromProfile, "AWS profile"), source: "AWS profile" };
    }
  }
  return { url: DEFAULT_COFFER_ENDPOINT, source: "default" };
}

/**
 * The Secrets Manager endpoint the AWS SDK finds in its configuration (environment variables, then
 * the profile's `services` section and `endpoint_url`), through the SDK's own loader so the rules are
 * exactly the SDK's. Loaded lazily: only this path needs the SDK.
 */
export async function profileEndpoint(): Promise<string | undefined> {
  const { createSdkClient } = await import("./sdk-client.js");
  const probe = createSdkClient({ region: "us-east-1" });
  try {
    return await probe.config.serviceConfiguredEndpoint?.();
  } catch {
    // A malformed shared config file: the SDK would fail later with its own message; no endpoint here.
    return undefined;
  } finally {
    probe.destroy();
  }
}

/** `url` if it is an http:// or https:// URL; else an error naming where it came from. */
export function checkedEndpointUrl(url: string, where: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EndpointConfigError(`${where}: "${url}" is not a URL.`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new EndpointConfigError(`${where}: "${url}" must be an http:// or https:// URL.`);
  }
  return url;
}
