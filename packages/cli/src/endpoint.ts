import { UsageError } from "./errors.js";

/** Where a local `coffer serve` listens by default. */
export const DEFAULT_ENDPOINT = "http://127.0.0.1:7373";
/** Coffer ignores the region except in signatures, so any fixed value works when none is configured. */
export const DEFAULT_REGION = "us-east-1";

export type EndpointSource = "--endpoint-url" | "AWS configuration" | "COFFER_ENDPOINT" | "default";

export interface ResolvedEndpoint {
  url: string;
  source: EndpointSource;
}

/**
 * Endpoint precedence: the flag, then what the AWS SDK found (AWS_ENDPOINT_URL_SECRETS_MANAGER,
 * AWS_ENDPOINT_URL, `endpoint_url` in the profile), then COFFER_ENDPOINT, then the local default.
 * Falling back to AWS's public endpoint, as the SDK would, is never what a Coffer user means.
 */
export function chooseEndpoint(
  flag: string | undefined,
  fromAwsConfiguration: string | undefined,
  env: NodeJS.ProcessEnv,
): ResolvedEndpoint {
  const candidates: Array<[string | undefined, EndpointSource]> = [
    [flag, "--endpoint-url"],
    [fromAwsConfiguration, "AWS configuration"],
    [env.COFFER_ENDPOINT, "COFFER_ENDPOINT"],
  ];
  for (const [url, source] of candidates) {
    if (url !== undefined && url !== "") return { url: checkedUrl(url, source), source };
  }
  return { url: DEFAULT_ENDPOINT, source: "default" };
}

function checkedUrl(url: string, source: EndpointSource): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`endpoint from ${source} is not a URL: "${url}"`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new UsageError(`endpoint from ${source} must be an http:// or https:// URL: "${url}"`);
  }
  return url;
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
