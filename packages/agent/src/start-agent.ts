import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { AgentStats, type CacheStats } from "./agent-stats.js";
import { requestHandler } from "./handle-request.js";
import { type AgentLogger, silentLogger } from "./logger.js";
import type { AgentSecrets } from "./secrets-port.js";
import { tokenChecker } from "./token-check.js";

/** The AWS Secrets Manager Agent's port. */
export const DEFAULT_AGENT_PORT = 2773;

/** Loopback only: the agent hands out secrets to anyone holding the token, so it never listens on a network. */
export type AgentHost = "127.0.0.1" | "::1";

export interface AgentOptions {
  /** Where secrets come from; the client library does the caching. The agent never closes it. */
  secrets: AgentSecrets;
  /** Callers must send it in X-Aws-Parameters-Secrets-Token. */
  token: string;
  /** Default 2773; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: AgentHost;
  logger?: AgentLogger;
  /** Extra numbers for `/health` (cache hits and misses, say); never values. */
  cacheStats?: () => CacheStats;
}

export interface RunningAgent {
  /** `http://127.0.0.1:2773` or `http://[::1]:2773`. */
  url: string;
  port: number;
  /** Stops listening, lets requests in flight finish (at most `graceMs`), then drops every connection. */
  close(graceMs?: number): Promise<void>;
}

/** Thrown by {@link startAgent} for options it refuses; never quotes the token. */
export class AgentOptionsError extends Error {
  override name = "AgentOptionsError";
}

const allowedHosts: readonly string[] = ["127.0.0.1", "::1"];
const DEFAULT_CLOSE_GRACE_MS = 5_000;

/** Starts the agent's HTTP server and resolves once it listens. */
export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? DEFAULT_AGENT_PORT;
  validate(options.token, host, port);
  const logger = options.logger ?? silentLogger;
  const handle = requestHandler({
    secrets: options.secrets,
    checkToken: tokenChecker(options.token),
    stats: new AgentStats(options.cacheStats),
    logger,
  });

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.error("request failed", { error: error instanceof Error ? error.name : typeof error });
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port, ipv6Only: host === "::1" }, () => {
      server.off("error", reject);
      resolve();
    });
  });

  const boundPort = listeningPort(server.address());
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${boundPort}`;
  logger.info("agent listening", { url });
  return {
    url,
    port: boundPort,
    close: (graceMs = DEFAULT_CLOSE_GRACE_MS) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

function listeningPort(address: AddressInfo | string | null): number {
  if (address === null || typeof address === "string") throw new Error("the agent is not listening on TCP");
  return address.port;
}

function validate(token: string, host: string, port: number): void {
  if (!allowedHosts.includes(host)) {
    throw new AgentOptionsError(`the agent listens on loopback only (127.0.0.1 or ::1), not ${host}`);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new AgentOptionsError(`port must be an integer from 0 to 65535, got ${port}`);
  }
  if (typeof token !== "string" || token === "") throw new AgentOptionsError("a token is required");
  // A header carries visible ASCII only: a token with anything else could never match.
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new AgentOptionsError("the token must be printable ASCII without spaces");
  }
}
