import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface MetricsListener {
  /** `http://host:port/metrics`, with the port actually bound (`:0` picks one). */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface MetricsSource {
  scrape(): Promise<string>;
  contentType: string;
}

/** Why the metrics port could not be bound, told in terms of the setting that fixes it. */
export class MetricsListenError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "MetricsListenError";
  }
}

/**
 * The separate listener that serves `GET /metrics` (docs/adr/0013): Prometheus text, nothing else
 * (`404` for any other path, `405` for another method), no credentials, never on the API's port.
 */
export function startMetricsListener(
  source: MetricsSource,
  host: string,
  port: number,
): Promise<MetricsListener> {
  const server: Server = createServer(
    { keepAliveTimeout: 65_000, requestTimeout: 10_000 },
    (request, response) => {
      const path = (request.url ?? "").split("?")[0];
      if (path !== "/metrics") {
        response
          .writeHead(404, { "content-type": "text/plain; charset=utf-8" })
          .end("Not found: try GET /metrics\n");
        return;
      }
      if (request.method !== "GET" && request.method !== "HEAD") {
        response.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" }).end();
        return;
      }
      source.scrape().then(
        (text) => {
          response.writeHead(200, { "content-type": source.contentType, "cache-control": "no-store" });
          response.end(request.method === "HEAD" ? undefined : text);
        },
        () => {
          response
            .writeHead(500, { "content-type": "text/plain; charset=utf-8" })
            .end("metrics unavailable\n");
        },
      );
    },
  );
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const where = `${host}:${port}`;
      const why =
        error.code === "EADDRINUSE"
          ? "the port is already in use"
          : error.code === "EACCES"
            ? "permission denied (ports below 1024 need privileges)"
            : error.code === "EADDRNOTAVAIL"
              ? "no network interface has that address"
              : (error.code ?? error.message);
      reject(
        new MetricsListenError(
          `cannot serve metrics on ${where}: ${why}. Set COFFER_METRICS_LISTEN (coffer serve --metrics-listen) to another host:port, or leave it unset.`,
          { cause: error },
        ),
      );
    });
    server.listen(port, host, () => {
      server.removeAllListeners("error");
      const bound = (server.address() as AddressInfo).port;
      const hostForUrl = host.includes(":") ? `[${host}]` : host;
      resolve({
        url: `http://${hostForUrl}:${bound}/metrics`,
        port: bound,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          }),
      });
    });
  });
}
