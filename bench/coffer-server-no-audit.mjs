// Coffer with the audit trail replaced by a no-op, configured from the environment like main.js:
// the reference that server-throughput.mjs compares the full server against, to price the audit.
// The `audit` option of startServer is programmatic only (benchmarks and tests); no configuration
// turns auditing off.
import { loadConfig, startServer } from "../packages/server/dist/index.js";

const server = await startServer(loadConfig(process.env), undefined, { audit: async () => {} });
process.stdout.write(`Coffer (audit off, benchmark only) is listening on ${server.url}\n`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
