import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
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

/** An error shaped like the SDK's service exceptions, so the CLI's error mapping treats both alike. */
function serviceError(status: number, body: string): Error {
  let type = "UnknownError";
  let message = `HTTP ${status}`;
  try {
    const parsed = JSON.parse(body) as { __type?: string; message?: string; Message?: string };
    type = parsed.__type?.split("#").pop() ?? type;
    message = parsed.message ?? parsed.Message ?? message;
  } catch {
    // Not JSON: keep the status as the message.
  }
  return Object.assign(new Error(message), { name: type, $metadata: { httpStatusCode: status } });
}

export function createAdminCaller(options: {
  endpoint: string;
  region: string;
  credentials: () => Promise<AwsCredentialIdentity>;
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
          timeout: 30_000,
          ...(callOptions.signal !== undefined ? { signal: callOptions.signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            if (res.statusCode === 200) resolve(JSON.parse(text) as Record<string, unknown>);
            else reject(serviceError(res.statusCode ?? 0, text));
          });
        },
      );
      req.on("timeout", () => req.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
      req.on("error", reject);
      req.end(body);
    });
  };
}
