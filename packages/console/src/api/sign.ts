import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";

/** Credentials the console signs with; held in memory only (session/session-store.ts). */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export type SigningService = "secretsmanager" | "coffer" | "sts";

/**
 * POSTs `body` to this origin's `/`, SigV4-signed for `service` in `region`, as any AWS SDK would:
 * the server authenticates and authorizes it exactly like a call from the CLI.
 */
export async function signedPost(options: {
  service: SigningService;
  region: string;
  credentials: Credentials;
  headers: Record<string, string>;
  body: string;
  signal?: AbortSignal | undefined;
}): Promise<Response> {
  const origin = new URL(window.location.origin);
  const signer = new SignatureV4({
    service: options.service,
    region: options.region,
    credentials: options.credentials,
    sha256: Sha256,
    uriEscapePath: true,
    applyChecksum: false,
  });
  const signed = await signer.sign({
    method: "POST",
    protocol: origin.protocol,
    hostname: origin.hostname,
    port: origin.port === "" ? undefined : Number(origin.port),
    path: "/",
    query: {},
    headers: { ...options.headers, host: origin.host },
    body: options.body,
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(signed.headers)) {
    // The browser sets Host itself (to the same value that was signed).
    if (name.toLowerCase() !== "host") headers.set(name, value);
  }
  return fetch("/", {
    method: "POST",
    headers,
    body: options.body,
    credentials: "omit",
    cache: "no-store",
    referrerPolicy: "no-referrer",
    signal: options.signal ?? null,
  });
}
