import { ConfigError, loadConfig } from "../config/config.js";
import { firstStartBanner, startBanner } from "./banner.js";
import { type RunningServer, startServer } from "./start-server.js";

/** `coffer serve` / `npm start`: run until SIGINT or SIGTERM. */
export async function serveFromEnvironment(env: Record<string, string | undefined>): Promise<RunningServer> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`coffer: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const server = await startServer(config);
  const region = config.defaultRegion;
  const generated = server.coffer.generatedAdminKey;
  process.stdout.write(
    generated
      ? firstStartBanner({ url: server.url, home: config.home, region, key: generated })
      : startBanner({
          url: server.url,
          home: config.home,
          region,
          configuredAdmin: config.admin !== undefined,
        }),
  );
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
