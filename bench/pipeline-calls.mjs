// What bench/pipeline-cost.mjs and bench/metrics-pipeline-worker.mjs share: a signed request as
// the pipeline's transport-neutral call (what node:http would hand it), and timed rounds of
// GetSecretValue through pipeline.handle with a fixed number of calls in flight.
import { signedGetSecretValue } from "./signed-request.mjs";
import { secretName, secretValue } from "./support.mjs";

/** A signed request (bench/signed-request.mjs) as the pipeline's call, its body already read. */
export function callOf(signed) {
  const body = Buffer.from(signed.body);
  const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
  headers["content-length"] = String(body.length);
  return {
    method: "POST",
    url: "/",
    headers,
    rawHeaders: Object.entries(headers).flat(),
    sourceIp: "127.0.0.1",
    readBody: () => Promise.resolve(body),
    discardBody: () => Promise.resolve(),
  };
}

/**
 * Creates the bench's secret through the pipeline and returns `run(n)`: n GetSecretValue calls
 * with `inFlight` of them in flight, resolving the microseconds per call.
 */
export async function getSecretValueRounds(pipeline, url, admin, inFlight) {
  const created = await pipeline.handle(
    callOf(
      await signedGetSecretValue(url, admin, "CreateSecret", { Name: secretName, SecretString: secretValue }),
    ),
  );
  if (created.status !== 200) throw new Error(`CreateSecret: ${created.body}`);
  const get = callOf(await signedGetSecretValue(url, admin, "GetSecretValue", { SecretId: secretName }));
  const first = await pipeline.handle(get);
  if (first.status !== 200 || !first.body.includes(JSON.stringify(secretValue).slice(1, -1)))
    throw new Error(`GetSecretValue: ${first.status} ${first.body}`);
  return async function run(n) {
    let sent = 0;
    const started = process.hrtime.bigint();
    async function lane() {
      while (sent < n) {
        sent++;
        const reply = await pipeline.handle(get);
        if (reply.status !== 200) throw new Error(`${reply.status} ${reply.body}`);
      }
    }
    await Promise.all(Array.from({ length: inFlight }, lane));
    return Number(process.hrtime.bigint() - started) / 1000 / n;
  };
}
