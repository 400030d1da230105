// Signs one AWS JSON 1.1 request with the AWS SDK's own signer, to be replayed by the load generator
// (valid for the server's ±5 minute clock-skew window).
import { request } from "node:http";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";

export async function signedGetSecretValue(url, credentials, operation, input) {
  const { host } = new URL(url);
  const body = JSON.stringify(input);
  const signer = new SignatureV4({
    service: "secretsmanager",
    region: "us-east-1",
    credentials,
    sha256: Hash.bind(null, "sha256"),
  });
  const signed = await signer.sign({
    method: "POST",
    protocol: "http:",
    hostname: host,
    path: "/",
    headers: {
      host,
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `secretsmanager.${operation}`,
    },
    body,
  });
  return { headers: signed.headers, body };
}

/**
 * Sends one signed call on a connection of its own (no keep-alive: a pooled connection the server
 * closed while idle fails with EPIPE on reuse). Resolves { status, text, ms }, where ms times the
 * round trip after signing.
 */
export async function signedCall(url, credentials, operation, input) {
  const { headers, body } = await signedGetSecretValue(url, credentials, operation, input);
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request({ hostname, port, method: "POST", path: "/", headers, agent: false }, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode,
          text: Buffer.concat(chunks).toString(),
          ms: performance.now() - started,
        }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** A signed call that must succeed; resolves its parsed answer. */
export async function callJson(url, credentials, operation, input) {
  const { status, text } = await signedCall(url, credentials, operation, input);
  if (status !== 200) throw new Error(`${operation} on ${url} failed (${status}): ${text}`);
  return JSON.parse(text);
}
