import type { ClientRequest, IncomingMessage } from "node:http";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { RequestTimeoutError, type Timeouts } from "@coffer/client";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity } from "@smithy/types";

/**
 * Calls one operation of Coffer's admin API (`X-Amz-Target: coffer.<Operation>`), SigV4-signed.
 * `signal` abandons the call (a long-poll the user stopped).
 */
export type AdminCall = (
  operation: string,
  input: object,
  options?: { signal?: AbortSignal | undefined },
) => Promise<Record<string, unknown>>;

const AWS_JSON = /^application\/(x-amz-json-1\.[01]|json)\b/i;

/**
 * An error shaped like the SDK's: a service exception named after the AWS error, or — for an answer
 * that is not AWS JSON — a `SyntaxError` / `Unknown` error with the hidden `$response` the SDK also
 * sets, so the CLI's error mapping treats both clients' failures alike.
 */
function failureOf(res: IncomingMessage, body: string): Error {
  const status = res.statusCode ?? 0;
  const contentType = res.headers["content-type"];
  const isJson = contentType !== undefined && AWS_JSON.test(contentType);
  let parsed: { __type?: string; message?: string; Message?: string } | undefined;
  try {
    parsed = isJson ? JSON.parse(body) : undefined;
  } catch {
    parsed = undefined;
  }
  const type = parsed?.__type?.split("#").pop();
  const error =
    type !== undefined
      ? Object.assign(new Error(parsed?.message ?? parsed?.Message ?? `HTTP ${status}`), { name: type })
      : Object.assign(new Error("UnknownError"), { name: status === 200 ? "SyntaxError" : "Unknown" });
  Object.defineProperty(error, "$response", {
    value: { statusCode: status, headers: { "content-type": contentType } },
    enumerable: false,
  });
  return Object.assign(error, { $metadata: { httpStatusCode: status } });
}

export function createAdminCaller(options: {
  endpoint: string;
  region: string;
  credentials: () => Promise<AwsCredentialIdentity>;
  timeouts: Timeouts;
}): AdminCall {
  const url = new URL(options.endpoint);
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return async (operation, input, callOptions = {}) => {
    const body = JSON.stringify(input);
    const signer = new SignatureV4({
      service: "secretsmanager",
      region: options.region,
      credentials: options.credentials,
      sha256: Hash.bind(null, "sha256"),
    });
    const signed = await signer.sign({
      method: "POST",
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: "/",
      headers: {
        host: url.host,
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": `coffer.${operation}`,
      },
      body,
    });
    return new Promise((resolve, reject) => {
      const req = send(
        {
          hostname: url.hostname,
          port: url.port,
          method: "POST",
          path: "/",
          headers: signed.headers,
          ...(callOptions.signal !== undefined ? { signal: callOptions.signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", reject);
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            if (res.statusCode !== 200) return reject(failureOf(res, text));
            try {
              resolve(JSON.parse(text) as Record<string, unknown>);
            } catch {
              reject(failureOf(res, text));
            }
          });
        },
      );
      // A long-poll (TailAuditEvents' WaitTimeSeconds) may rightly hold the answer that much longer.
      const waitSeconds = Number(Reflect.get(input, "WaitTimeSeconds") ?? 0) || 0;
      const stopTimers = armTimeouts(req, {
        ...options.timeouts,
        readSeconds: options.timeouts.readSeconds + waitSeconds,
      });
      req.on("close", stopTimers);
      req.on("error", reject);
      req.end(body);
    });
  };
}

/**
 * Ends the request with a {@link RequestTimeoutError} when the connection takes longer than the
 * connect time-out, or the whole exchange longer than the read time-out (as the SDK's handler does).
 */
function armTimeouts(req: ClientRequest, timeouts: Timeouts): () => void {
  const fail = (error: Error) => req.destroy(error);
  const read = setTimeout(
    () => fail(new RequestTimeoutError("read", timeouts.readSeconds)),
    timeouts.readSeconds * 1000,
  );
  const connect = setTimeout(
    () => fail(new RequestTimeoutError("connect", timeouts.connectSeconds)),
    timeouts.connectSeconds * 1000,
  );
  req.on("socket", (socket) => {
    if (!socket.connecting) clearTimeout(connect);
    else socket.once("connect", () => clearTimeout(connect));
  });
  return () => {
    clearTimeout(read);
    clearTimeout(connect);
  };
}
