// The agent as `coffer agent` runs it (client library cache, onFetch counting for /health), over
// an in-process `env` source holding the bench secret, so every request after the first is a
// cache hit. Token from BENCH_AGENT_TOKEN.
import { countCacheEvents, startAgent } from "../packages/agent/dist/index.js";
import { createSecrets } from "../packages/client/dist/index.js";
import { secretValue } from "./support.mjs";

const counter = countCacheEvents();
const secrets = createSecrets({
  sources: [{ kind: "env", env: { BENCH_DB: secretValue } }],
  cache: { ttlMs: 3_600_000 },
  changeFeed: false,
  onFetch: counter.onFetch,
});
const token = process.env.BENCH_AGENT_TOKEN ?? "";
const agent = await startAgent({ secrets, token, port: 0, cacheStats: counter.snapshot });
console.log(`listening on ${agent.url}`);
process.once("SIGTERM", () => agent.close(100).then(() => secrets.close()));
