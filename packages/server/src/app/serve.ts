import { ConfigError, loadConfig } from "../config/config.js";
import { firstStartBanner, startBanner } from "./banner.js";
import { type RunningServer, startServer } from "./start-server.js";

/** `coffer serve` / `npm start`: run until SIGINT or SIGTERM. */
export async function serveFromEnvironment(env: Record<string, string | undefined>): Promise<RunningServer> {
  let server: RunningServer;
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(env);
    for (const warning of config.warnings) process.stderr.write(`coffer: warning: ${warning}\n`);
    server = await startServer(config);
  } catch (error) {
    // A start that cannot serve says why in one line (the stack only at COFFER_LOG_LEVEL=debug).
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`coffer: ${message.replace(/\s*\n\s*/g, " ")}\n`);
    if (!(error instanceof ConfigError) && env.COFFER_LOG_LEVEL === "debug" && error instanceof Error) {
      process.stderr.write(`${error.stack ?? ""}\n`);
    }
    process.exit(1);
  }
  if (server.coffer.acknowledgedAuditGap !== undefined) {
    process.stderr.write(
      `coffer: warning: audit trail gap acknowledged and recorded as AuditTrailGapAcknowledged: ${server.coffer.acknowledgedAuditGap}\n`,
    );
  }
  const region = config.defaultRegion;
  const generated = server.coffer.generatedAdminKey;
  const banner = generated
    ? firstStartBanner({ url: server.url, home: config.home, region, key: generated })
    : startBanner({
        url: server.url,
        home: config.home,
        region,
        configuredAdmin: config.admin !== undefined,
      });
  // In the same write as the banner, so whoever reads the banner reads the metrics URL too.
  const metrics = server.metricsUrl ? `Prometheus metrics at ${server.metricsUrl}\n` : "";
  process.stdout.write(banner + metrics);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.logger.info("stopping", { signal });
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  return server;
}
