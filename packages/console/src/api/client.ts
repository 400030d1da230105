import { ApiError, jsonError, xmlError } from "./api-error.js";
import { type Credentials, type SigningService, signedPost } from "./sign.js";

/** Where calls get their credentials and region: the session store registers itself here. */
export interface CallContext {
  credentials(): Credentials | undefined;
  region(): string;
  /** Told of an answer that ends the session (expired or unknown credentials). */
  onCredentialsRejected(error: ApiError): void;
}

let context: CallContext | undefined;

export function setCallContext(next: CallContext | undefined): void {
  context = next;
}

const sessionEndingErrors = new Set([
  "ExpiredTokenException",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
]);

export interface CallOptions {
  signal?: AbortSignal;
  /** Sign with these instead of the session's (sign-in uses it before a session exists). */
  credentials?: Credentials;
}

/**
 * Signs and sends one POST with the session's credentials (or `options.credentials`) and returns
 * the reply's text. A refusal becomes the ApiError `toError` reads from it; one that ends the
 * session (expired or unknown credentials) is told to the session first.
 */
async function send(
  request: { service: SigningService; headers: Record<string, string>; body: string },
  options: CallOptions,
  toError: (response: Response, text: string) => ApiError,
): Promise<string> {
  const ctx = context;
  const credentials = options.credentials ?? ctx?.credentials();
  if (!credentials || !ctx) throw new ApiError("NotSignedIn", "Sign in first.", 0);
  let response: Response;
  try {
    response = await signedPost({ ...request, region: ctx.region(), credentials, signal: options.signal });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError("NetworkError", "The server could not be reached.", 0);
  }
  const text = await response.text();
  if (!response.ok) {
    const error = toError(response, text);
    if (!options.credentials && sessionEndingErrors.has(error.name)) ctx.onCredentialsRejected(error);
    throw error;
  }
  return text;
}

/** Calls an AWS JSON 1.1 operation (`X-Amz-Target: <prefix>.<op>`) and returns its parsed reply. */
async function callJson<T>(
  service: SigningService,
  targetPrefix: string,
  operation: string,
  input: object,
  options: CallOptions,
): Promise<T> {
  const headers = {
    "content-type": "application/x-amz-json-1.1",
    "x-amz-target": `${targetPrefix}.${operation}`,
  };
  const text = await send({ service, headers, body: JSON.stringify(input) }, options, (response, body) =>
    jsonError(response.status, body, response.headers.get("x-amzn-errortype")),
  );
  return (text === "" ? {} : JSON.parse(text)) as T;
}

/** A Secrets Manager operation (`secretsmanager.<op>`), e.g. `callSecretsManager("ListSecrets", {})`. */
export function callSecretsManager<T = Record<string, unknown>>(
  operation: string,
  input: object = {},
  options: CallOptions = {},
): Promise<T> {
  return callJson<T>("secretsmanager", "secretsmanager", operation, input, options);
}

/**
 * A Coffer admin API operation (`X-Amz-Target: coffer.<op>`), e.g. `callCoffer("WhoCanAccess", {...})`.
 * Signed for `secretsmanager`: the admin API's model names that signing name (as the CLI signs it).
 */
export function callCoffer<T = Record<string, unknown>>(
  operation: string,
  input: object = {},
  options: CallOptions = {},
): Promise<T> {
  return callJson<T>("secretsmanager", "coffer", operation, input, options);
}

/**
 * An STS action (AWS Query protocol, XML reply), e.g. `callSts("GetCallerIdentity")`: returns the
 * text of each element under `<{Action}Result>` by its tag name (nested elements flattened).
 */
export async function callSts(
  action: string,
  params: Record<string, string> = {},
  options: CallOptions = {},
): Promise<Record<string, string>> {
  const body = new URLSearchParams({ Action: action, Version: "2011-06-15", ...params }).toString();
  const headers = { "content-type": "application/x-www-form-urlencoded; charset=utf-8" };
  const text = await send({ service: "sts", headers, body }, options, (response, reply) =>
    xmlError(response.status, reply),
  );
  const doc = new DOMParser().parseFromString(text, "application/xml");
  const result = doc.getElementsByTagName(`${action}Result`)[0];
  const out: Record<string, string> = {};
  if (result) {
    for (const element of Array.from(result.getElementsByTagName("*"))) {
      if (element.children.length === 0) out[element.tagName] = element.textContent ?? "";
    }
  }
  return out;
}
