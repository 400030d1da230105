import { SecretsManagerClient, type SecretsManagerClientConfig } from "@aws-sdk/client-secrets-manager";

const NODE_WARNING_SWITCH = "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED";

/** Default seconds to wait for a TCP (and TLS) connection to Coffer. */
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 3;
/** Default seconds to wait for an answer once the request is sent. */
export const DEFAULT_READ_TIMEOUT_SECONDS = 10;

export interface Timeouts {
  /** Seconds to wait for the connection. */
  connectSeconds: number;
  /** Seconds to wait for the whole answer once connected. */
  readSeconds: number;
}

/**
 * A Secrets Manager SDK client without the SDK's multi-line "NodeVersionSupportWarning" on Node 20.
 *
 * The SDK emits that warning once per process, from the first client's constructor
 * (`emitWarningIfUnsupportedVersion` in `@aws-sdk/core`), unless
 * AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED is "true" at that moment; either way it then
 * marks the warning as done for the whole process. So the switch is set only around the
 * constructor and restored after: the process environment (and children it starts) stay as they
 * were, and every other warning still shows.
 */
export function createSdkClient(
  config: SecretsManagerClientConfig,
  timeouts?: Timeouts,
): SecretsManagerClient {
  const before = process.env[NODE_WARNING_SWITCH];
  process.env[NODE_WARNING_SWITCH] = "true";
  let client: SecretsManagerClient;
  try {
    client = new SecretsManagerClient(
      timeouts === undefined ? config : { ...config, requestHandler: requestHandlerOptions(timeouts) },
    );
  } finally {
    if (before === undefined) delete process.env[NODE_WARNING_SWITCH];
    else process.env[NODE_WARNING_SWITCH] = before;
  }
  if (timeouts !== undefined) endTimeoutsWithoutRetry(client, timeouts);
  return client;
}

/** A request to Coffer that got no connection, or no answer, in time. Never retried. */
export class RequestTimeoutError extends Error {
  override name = "RequestTimeoutError";
  constructor(
    readonly phase: "connect" | "read",
    readonly seconds: number,
  ) {
    super(phase === "connect" ? `no connection within ${seconds} s` : `no answer within ${seconds} s`);
  }
}

/**
 * The SDK HTTP handler's options for these time-outs. `throwOnRequestTimeout` makes an unanswered
 * request fail with a TimeoutError; without it the SDK only logs a warning and keeps waiting.
 */
function requestHandlerOptions(timeouts: Timeouts) {
  return {
    connectionTimeout: Math.round(timeouts.connectSeconds * 1000),
    requestTimeout: Math.round(timeouts.readSeconds * 1000),
    throwOnRequestTimeout: true,
  };
}

/**
 * The SDK retries its own TimeoutError as transient, which would double every time-out. Inside the
 * retry loop (the deserialize step runs within it), a time-out becomes a {@link RequestTimeoutError},
 * which the retry strategy treats as final; other errors (a dropped keep-alive socket) still retry.
 */
function endTimeoutsWithoutRetry(client: SecretsManagerClient, timeouts: Timeouts): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (!(error instanceof Error) || error.name !== "TimeoutError") throw error;
        const connecting = error.message.includes("establish a connection");
        throw connecting
          ? new RequestTimeoutError("connect", timeouts.connectSeconds)
          : new RequestTimeoutError("read", timeouts.readSeconds);
      }
    },
    { step: "deserialize", name: "cofferTimeoutsWithoutRetry", priority: "high" },
  );
}
