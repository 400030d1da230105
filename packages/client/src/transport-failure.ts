/**
 * Why a request never got an AWS answer — no connection, no answer in time, TLS against a plain
 * HTTP server, or an answer that is not the AWS JSON protocol — as one line for people, from the
 * error the AWS SDK (or Node) produced. Undefined for anything else, such as a real service error.
 */

export type TransportFailureKind = "timeout" | "network" | "plain-http" | "tls" | "not-aws";

export interface TransportFailure {
  kind: TransportFailureKind;
  /** One line, no stack, e.g. "connection refused"; for "not-aws", what answered and how. */
  reason: string;
}

// Node's socket error codes.
const networkReasons: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ECONNABORTED: "connection aborted",
  EPIPE: "connection closed",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  EHOSTUNREACH: "host unreachable",
  EHOSTDOWN: "host down",
  ENETUNREACH: "network unreachable",
  ENETDOWN: "network down",
  EADDRNOTAVAIL: "address not available",
  UND_ERR_SOCKET: "connection closed",
};

const AWS_JSON = /^application\/(x-amz-json-1\.[01]|json)\b/i;
const GATEWAY_STATUSES = new Set([502, 503, 504]);

export function classifyTransportFailure(error: unknown): TransportFailure | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = typeof Reflect.get(error, "code") === "string" ? (Reflect.get(error, "code") as string) : "";
  if (error.name === "RequestTimeoutError") return { kind: "timeout", reason: error.message };
  if (error.name === "TimeoutError" || code === "ETIMEDOUT") return { kind: "timeout", reason: "timed out" };
  const network = networkReasons[code];
  if (network !== undefined) return { kind: "network", reason: network };
  if (
    code === "EPROTO" ||
    code === "ERR_SSL_WRONG_VERSION_NUMBER" ||
    /wrong version number|packet length too long|http request/i.test(error.message)
  ) {
    return {
      kind: "plain-http",
      reason: "the server speaks plain HTTP, not HTTPS: use an http:// endpoint URL",
    };
  }
  if (/^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_|ERR_SSL_)/.test(code)) {
    return { kind: "tls", reason: `TLS failed (${code}): the server's certificate is not trusted here` };
  }
  const answer = nonAwsAnswer(error);
  if (answer !== undefined) return { kind: "not-aws", reason: answer };
  // Node's happy-eyeballs connect (IPv6 and IPv4 in turn) reports an AggregateError of both attempts.
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const failure = classifyTransportFailure(inner);
      if (failure !== undefined) return failure;
    }
  }
  return undefined;
}

/**
 * An HTTP answer that is not an AWS error: the SDK's JSON parse failure (`SyntaxError`) or its
 * "Unknown" error for a body without `__type`, with a content type that is not AWS JSON (or any
 * content type, when the body did not parse). Reads the SDK's hidden `$response` and `$metadata`.
 */
function nonAwsAnswer(error: Error): string | undefined {
  const response = Reflect.get(error, "$response") as
    | { statusCode?: number; headers?: Record<string, string | undefined> }
    | undefined;
  const metadata = Reflect.get(error, "$metadata") as { httpStatusCode?: number } | undefined;
  const status = response?.statusCode ?? metadata?.httpStatusCode;
  if (status === undefined) return undefined;
  const contentType = headerOf(response?.headers, "content-type");
  const parseFailed = error.name === "SyntaxError";
  const unnamed = error.name === "Unknown" || error.name === "UnknownError";
  if (!parseFailed && !(unnamed && (contentType === undefined || !AWS_JSON.test(contentType)))) {
    return undefined;
  }
  if (GATEWAY_STATUSES.has(status) && (contentType === undefined || !AWS_JSON.test(contentType))) {
    return `it answered HTTP ${status} without an AWS error: a proxy or gateway that cannot reach the server behind it`;
  }
  const what = contentType === undefined ? "no content type" : contentType.split(";")[0]?.trim();
  return `it answered HTTP ${status} with ${what}, not the AWS JSON protocol: is this a Coffer endpoint?`;
}

function headerOf(headers: Record<string, string | undefined> | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && value !== undefined && value !== "") return value;
  }
  return undefined;
}
