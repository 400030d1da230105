/**
 * Test support: signs requests with the AWS SDK's own signer (`@smithy/signature-v4`), an
 * implementation independent of ours, and turns the result into what our server would receive.
 * Named `*.test.helper.ts` so it is neither run as a test nor shipped (the package excludes `*.test.*`).
 */
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import type { IncomingSignedRequest } from "./types.js";

/** The SDK's URI escaping (`escapeUri`): encodeURIComponent plus the characters it leaves alone. */
export function sdkEscapeUri(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The query string the SDK puts on the wire for a query bag (`buildQueryString`). */
export function sdkQueryString(query: Record<string, string | string[]>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    const name = sdkEscapeUri(key);
    for (const item of Array.isArray(value) ? value : [value]) parts.push(`${name}=${sdkEscapeUri(item)}`);
  }
  return parts.join("&");
}

export interface SmithySigningInput {
  method: string;
  /** Wire path (already percent-encoded), e.g. "/" or "/a%20b". */
  path: string;
  query?: Record<string, string | string[]>;
  /** Headers as the client sets them (any case); include `host` for it to be signed. */
  headers: Record<string, string>;
  body: Buffer;
  service: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  signingDate: Date;
  /** Whether the signer adds `x-amz-content-sha256` (smithy's default: yes). */
  applyChecksum?: boolean;
}

/** Signs with smithy, then returns the request as Node would hand it to our server. */
export async function signWithSmithy(input: SmithySigningInput): Promise<IncomingSignedRequest> {
  const signer = new SignatureV4({
    service: input.service,
    region: input.region,
    credentials: {
      accessKeyId: input.accessKeyId,
      secretAccessKey: input.secretAccessKey,
      ...(input.sessionToken === undefined ? {} : { sessionToken: input.sessionToken }),
    },
    sha256: Hash.bind(null, "sha256"),
    applyChecksum: input.applyChecksum ?? true,
  });
  const query = input.query ?? {};
  const signed = await signer.sign(
    {
      method: input.method,
      protocol: "http:",
      hostname: "localhost",
      path: input.path,
      query,
      headers: { ...input.headers },
      body: input.body,
    },
    { signingDate: input.signingDate },
  );
  const queryString = sdkQueryString(query);
  return {
    method: input.method,
    rawUrl: queryString === "" ? input.path : `${input.path}?${queryString}`,
    headers: asNodeWouldReceive(signed.headers),
    body: input.body,
  };
}

/** Node lower-cases header names and strips leading and trailing whitespace from values. */
export function asNodeWouldReceive(headers: Record<string, string>): Record<string, string> {
  const received: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    received[name.toLowerCase()] = value.replace(/^[ \t]+|[ \t]+$/g, "");
  }
  return received;
}
