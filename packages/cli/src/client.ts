import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { type AdminCall, createAdminCaller } from "./admin/admin-client.js";
import type { SecretsClient } from "./context.js";
import { chooseEndpoint, DEFAULT_REGION, explicitRegion } from "./endpoint.js";

export interface ConnectionOptions {
  endpointUrl?: string;
  region?: string;
  profile?: string;
}

export interface Connection {
  client: SecretsClient;
  /** Coffer's admin API (`coffer.<Operation>`), signed with the same credentials and region. */
  admin: AdminCall;
  /** Shown in "cannot reach" messages. */
  endpoint: string;
  close(): void;
}

export type Connect = (options: ConnectionOptions) => Promise<Connection>;

// One retry: enough to ride out a dropped keep-alive socket, few enough that a stopped server is
// reported at once instead of after the SDK's default backoff.
const MAX_ATTEMPTS = 2;
const CONNECTION_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Builds the SDK client. Credentials come from the SDK's default chain untouched (environment, then
 * the profile's shared config and credentials files, SSO, process, IMDS). Region and endpoint are
 * resolved by the SDK too, through a probe client, because the CLI needs to know when nothing is
 * configured: then it talks to a local Coffer rather than to AWS.
 */
export const connect: Connect = async (options) => {
  // A command-line tool should not print the SDK's Node-version deprecation notice on every run;
  // an explicit setting from the user still wins.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  if (options.profile !== undefined) {
    // The SDK's configured-endpoint lookup (`endpoint_url` in the profile) ignores the client's
    // `profile` option and reads AWS_PROFILE only; setting it makes every lookup agree on the
    // profile, the way the AWS CLI's --profile overrides AWS_PROFILE.
    process.env.AWS_PROFILE = options.profile;
  }

  const region = explicitRegion(options.region, process.env);
  const probe = new SecretsManagerClient({ profile: options.profile, region });
  let resolvedRegion: string;
  let configuredEndpoint: string | undefined;
  try {
    resolvedRegion = await probe.config.region().catch(() => DEFAULT_REGION);
    // Internal to the SDK but typed; it reads AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL and
    // the profile's `endpoint_url` / `services` section, honouring AWS_IGNORE_CONFIGURED_ENDPOINT_URLS.
    configuredEndpoint =
      options.endpointUrl === undefined ? await probe.config.serviceConfiguredEndpoint?.() : undefined;
  } finally {
    probe.destroy();
  }

  const endpoint = chooseEndpoint(options.endpointUrl, configuredEndpoint, process.env);
  const client = new SecretsManagerClient({
    profile: options.profile,
    region: resolvedRegion,
    endpoint: endpoint.url,
    maxAttempts: MAX_ATTEMPTS,
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
  });
  const admin = createAdminCaller({
    endpoint: endpoint.url,
    region: resolvedRegion,
    credentials: client.config.credentials,
  });
  return { client, admin, endpoint: endpoint.url, close: () => client.destroy() };
};
