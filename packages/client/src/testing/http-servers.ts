import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

/** Starts an HTTP server on a free loopback port; `close()` also ends open connections. */
export async function listen(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<{ server: Server; url: string; port: number; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
    });
    request.on("end", () => resolve(body));
    request.on("error", reject);
  });
}

/**
 * A transparent HTTP proxy in front of `target` that counts requests by `X-Amz-Target` operation
 * (e.g. "GetSecretValue") — an honest count of what reaches the server. Headers pass unchanged,
 * so SigV4 signatures (which cover the Host header the client used) still verify.
 */
export async function startCountingProxy(target: string) {
  const counts = new Map<string, number>();
  const upstream = new URL(target);
  const proxy = await listen((request, response) => {
    const header = request.headers["x-amz-target"];
    const operation =
      typeof header === "string"
        ? header.replace(/^secretsmanager\./, "")
        : `${request.method} ${request.url}`;
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
    const forwarded = httpRequest(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: request.headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forwarded.on("error", () => {
      response.destroy();
    });
    request.pipe(forwarded);
  });
  return {
    url: proxy.url,
    count: (operation: string) => counts.get(operation) ?? 0,
    reset: () => counts.clear(),
    close: proxy.close,
  };
}
