import { createSdkClient, type Timeouts } from "@coffer/client";
import { type AdminCall, createAdminCaller } from "./admin/admin-client.js";
import type { SecretsClient } from "./context.js";
import { chooseEndpoint, chooseTimeouts, DEFAULT_REGION, explicitRegion } from "./endpoint.js";

export interface ConnectionOptions {
  endpointUrl?: string;
  region?: string;
  profile?: string;
  /** --connect-timeout, seconds. */
  connectTimeout?: string;
  /** --read-timeout, seconds. */
  readTimeout?: string;
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
// reported at once instead of after the SDK's default backoff. Time-outs are never retried.
const MAX_ATTEMPTS = 2;

/**
 * Builds the SDK client. Credentials come from the SDK's default chain untouched (environment, then
 * the profile's shared config and credentials files, SSO, process, IMDS). The endpoint follows the
 * one precedence of `chooseEndpoint`; the region is the SDK's, else us-east-1.
 */
export const connect: Connect = async (options) => {
  if (options.profile !== undefined) {
    // The SDK's configured-endpoint lookup (`endpoint_url` in the profile) ignores the client's
    // `profile` option and reads AWS_PROFILE only; setting it makes every lookup agree on the
    // profile, the way the AWS CLI's --profile overrides AWS_PROFILE.
    process.env.AWS_PROFILE = options.profile;
  }
  const timeouts: Timeouts = chooseTimeouts(options, process.env);
  const endpoint = await chooseEndpoint(options.endpointUrl, process.env);
  const region = explicitRegion(options.region, process.env) ?? (await profileRegion(options.profile));
  const client = createSdkClient(
    { profile: options.profile, region, endpoint: endpoint.url, maxAttempts: MAX_ATTEMPTS },
    timeouts,
  );
  const admin = createAdminCaller({
    endpoint: endpoint.url,
    region,
    credentials: client.config.credentials,
    timeouts,
  });
  return { client, admin, endpoint: endpoint.url, close: () => client.destroy() };
};

/** The profile's region as the SDK finds it, else us-east-1 (Coffer only needs one to sign with). */
async function profileRegion(profile: string | undefined): Promise<string> {
  const probe = createSdkClient({ profile });
  try {
    return await probe.config.region();
  } catch {
    return DEFAULT_REGION;
  } finally {
    probe.destroy();
  }
}
