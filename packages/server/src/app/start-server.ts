import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { CofferConfig } from "../config/config.js";
import { createRequestHandler } from "../http/request-handler.js";
import { createSigV4Verifier } from "../http/sigv4/index.js";
import { operations } from "../operations/registry.js";
import { loadServiceModel } from "../protocol/model.js";
import { createInputValidator } from "../protocol/validate.js";
import { createLogger, type Logger } from "./logger.js";
import { type Coffer, openCoffer } from "./open-coffer.js";

export interface RunningServer {
  coffer: Coffer;
  url: string;
  port: number;
  logger: Logger;
  close(): Promise<void>;
}

/** Large enough for a 64 KiB binary value in base64 inside JSON, small enough to bound memory. */
const maxBodyBytes = 256 * 1024;

export async function startServer(
  config: CofferConfig,
  logger: Logger = createLogger(config.logLevel),
): Promise<RunningServer> {
  const coffer = await openCoffer(config);
  const validator = createInputValidator(loadServiceModel());
  const handler = createRequestHandler({
    operations,
    services: { reader: coffer.reader, writer: coffer.writer },
    validate: (operation, input) => validator.validate(operation, input),
    verifier: createSigV4Verifier({ service: "secretsmanager" }),
    accessKeys: coffer.accessKeys,
    logger,
    maxBodyBytes,
  });
  const server = createServer({ keepAliveTimeout: 65_000 }, handler);
  server.on("clientError", (_error, socket) => {
    if (socket.writable)
      socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
  });
  await listen(server, config.port, config.host);
  const port = (server.address() as AddressInfo).port;

  const purge = async () => {
    try {
      const purged = await coffer.writer.purgeDue();
      if (purged > 0) logger.info("purged secrets whose recovery window ended", { count: purged });
    } catch (error) {
      logger.error("purge failed", { error: error instanceof Error ? error.name : String(error) });
    }
  };
  await purge();
  const purgeTimer = setInterval(purge, config.purgeIntervalMs);
  purgeTimer.unref();

  const hostForUrl = config.host.includes(":") ? `[${config.host}]` : config.host;
  return {
    coffer,
    url: `http://${hostForUrl}:${port}`,
    port,
    logger,
    close: async () => {
      clearInterval(purgeTimer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await coffer.close();
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}
