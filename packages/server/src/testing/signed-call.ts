import { Agent, request } from "node:http";
import { signJsonCall } from "./admin-call.js";
import { testAdmin } from "./server-process.js";

/** What came back, unparsed: tests look at the status and the AWS error type. */
export interface RawResponse {
  status: number;
  body: string;
  /** `__type` of a JSON error body, or "" when the body is not one. */
  type: string;
}

export interface SignedCaller {
  /**
   * POSTs `body` (any bytes, valid JSON or not) to `X-Amz-Target: target`, signed with SigV4 by the
   * AWS SDK's own signer, so it reaches validation. Never throws for an HTTP status.
   */
  call(target: string, body: string | Buffer): Promise<RawResponse>;
  /** Signs without sending: the headers to put on a request carrying `body`. */
  sign(target: string, body: string | Buffer): Promise<Record<string, string>>;
  close(): void;
}

export const secretsManagerTarget = (operation: string) => `secretsmanager.${operation}`;
export const adminTarget = (operation: string) => `coffer.${operation}`;

export function signedCaller(
  url: string,
  credentials: { accessKeyId: string; secretAccessKey: string } = testAdmin,
  options: { maxSockets?: number; timeoutMs?: number } = {},
): SignedCaller {
  const { hostname, port } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 16 });
  const sign = (target: string, body: string | Buffer) => signJsonCall(url, target, body, credentials);
  return {
    sign,
    async call(target, body) {
      const headers = await sign(target, body);
      return new Promise<RawResponse>((resolve, reject) => {
        const req = request(
          { agent, hostname, port: Number(port), method: "POST", path: "/", headers },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("error", reject);
            res.on("end", () => {
              const text = Buffer.concat(chunks).toString("utf8");
              resolve({ status: res.statusCode ?? 0, body: text, type: errorType(text) });
            });
          },
        );
        req.on("error", reject);
        // A request the server never answers is a failure to report, not a test that hangs.
        req.setTimeout(options.timeoutMs ?? 30_000, () =>
          req.destroy(new Error(`no response to ${target} within ${options.timeoutMs ?? 30_000} ms`)),
        );
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}

function errorType(text: string): string {
  try {
    const parsed = JSON.parse(text) as { __type?: unknown };
    return typeof parsed.__type === "string" ? parsed.__type : "";
  } catch {
    return "";
  }
}
