import { SignatureV4, type SignatureV4CryptoInit } from "@smithy/signature-v4";
import type { AwsCredentials } from "./types.js";

/** Where a Coffer endpoint is and how to sign for it (from the coffer source's SDK client). */
export interface SigningTarget {
  /** The Coffer endpoint. */
  url: URL;
  region: string;
  credentials: () => Promise<AwsCredentials>;
  sha256: SignatureV4CryptoInit["sha256"];
}

/**
 * The headers of one SigV4-signed request to `url` on the target (signing name `secretsmanager`,
 * which Coffer's change feed and admin API are signed for too): for the requests the client makes
 * itself, beside the SDK's — the change feed's `GET /changes` and the metrics report.
 */
export async function signedHeaders(
  target: SigningTarget,
  request: { method: "GET" | "POST"; url: URL; headers: Record<string, string>; body?: string },
): Promise<Record<string, string>> {
  const { url } = request;
  const signer = new SignatureV4({
    service: "secretsmanager",
    region: target.region,
    credentials: target.credentials,
    sha256: target.sha256,
  });
  const signed = await signer.sign({
    method: request.method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port === "" ? undefined : Number(url.port),
    path: url.pathname,
    query: {},
    headers: { host: url.host, ...request.headers },
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  return signed.headers;
}
