#!/usr/bin/env node
// The cost of a cached read through @coffer/client: `await secrets.getJson(id)` on a warm cache
// against `Map.get` of the very same parsed object and against Powertools' cached
// `await getSecret(id, { transform: "json" })` (@aws-lambda-powertools/parameters: both answer a
// parsed object from a warm cache), N calls each in a tight loop, side by side in one run (client,
// awaited Map.get, plain Map.get, Powertools per round, rotating which goes first). The headlines
// are the per-call ratios client / awaited Map.get (like with like: a user awaits getJson) and
// client / Powertools; the ratio to a plain synchronous Map.get is printed too. The client's
// source is the in-process `env` backend; Powertools' SDK client is pointed at a local node:http
// endpoint that answers its first GetSecretValue. After the warm-up every call is a cache hit.
import { once } from "node:events";
import { createServer } from "node:http";
import { createSecrets } from "../packages/client/dist/index.js";
import { callCount, median, ratio, rounds, secretName, secretValue } from "./support.mjs";

// Powertools' default provider builds its SDK client from the environment on its first call.
const endpoint = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.setHeader("content-type", "application/x-amz-json-1.1");
    res.end(
      JSON.stringify({
        ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${secretName}-AbCdEf`,
        Name: secretName,
        SecretString: secretValue,
        VersionId: "v1",
        VersionStages: ["AWSCURRENT"],
      }),
    );
  });
});
endpoint.listen(0, "127.0.0.1");
await once(endpoint, "listening");
Object.assign(process.env, {
  AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${endpoint.address().port}`,
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "AKIDBENCH",
  AWS_SECRET_ACCESS_KEY: "bench",
});
const { getSecret } = await import("@aws-lambda-powertools/parameters/secrets");
const powertoolsOptions = { transform: "json", maxAge: 3_600 };

const calls = callCount(2_000_000, 100_000);
const secrets = createSecrets({
  sources: [{ kind: "env", env: { BENCH_DB: secretValue } }],
  // Longer than any run: no expiry or refresh-ahead during the measurement.
  cache: { ttlMs: 3_600_000 },
  changeFeed: false,
});

const parsed = await secrets.getJson(secretName);
if (parsed.password !== JSON.parse(secretValue).password) throw new Error("getJson returned another value");
const map = new Map([[secretName, parsed]]);
const powertoolsParsed = await getSecret(secretName, powertoolsOptions);
if (powertoolsParsed?.password !== parsed.password) throw new Error("getSecret returned another value");
endpoint.close();

// Each loop checks every result against the expected object, so no call can be optimized away,
// and the check costs the same on every side.
async function clientLoop(n) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    if ((await secrets.getJson(secretName)) !== parsed) throw new Error("cache miss");
  }
  return process.hrtime.bigint() - started;
}

async function awaitedMapLoop(n) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    if ((await map.get(secretName)) !== parsed) throw new Error("map miss");
  }
  return process.hrtime.bigint() - started;
}

function mapLoop(n) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    if (map.get(secretName) !== parsed) throw new Error("map miss");
  }
  return process.hrtime.bigint() - started;
}

async function powertoolsLoop(n) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    if ((await getSecret(secretName, powertoolsOptions)) !== powertoolsParsed)
      throw new Error("powertools miss");
  }
  return process.hrtime.bigint() - started;
}

const sides = [clientLoop, awaitedMapLoop, mapLoop, powertoolsLoop];
const perCall = (nanoseconds) => Number(nanoseconds) / calls;

// Warm-up: let the JIT optimize every loop before anything is timed.
for (let i = 0; i < 3; i++) for (const side of sides) await side(Math.min(calls, 200_000));

console.log(`cached getJson vs Map.get, ${calls} calls per run, ${rounds} rounds`);
const overAwaited = [];
const overPlain = [];
const overPowertools = [];
const clientNs = [];
const awaitedNs = [];
const powertoolsNs = [];
for (let round = 0; round < rounds; round++) {
  const ns = new Array(sides.length);
  for (let k = 0; k < sides.length; k++) {
    const i = (round + k) % sides.length;
    ns[i] = perCall(await sides[i](calls));
  }
  const [client, awaited, plain, powertools] = ns;
  clientNs.push(client);
  awaitedNs.push(awaited);
  powertoolsNs.push(powertools);
  overAwaited.push(client / awaited);
  overPlain.push(client / plain);
  overPowertools.push(client / powertools);
  console.log(
    `  round ${round + 1}: getJson ${client.toFixed(1)} ns/call, await Map.get ${awaited.toFixed(1)} ns/call, Map.get ${plain.toFixed(1)} ns/call, Powertools getSecret ${powertools.toFixed(1)} ns/call` +
      ` | getJson/awaited ${ratio(client / awaited)}, getJson/Powertools ${ratio(client / powertools)}, getJson/plain ${ratio(client / plain)}`,
  );
}
await secrets.close();
const headline = {
  awaited: median(overAwaited),
  powertools: median(overPowertools),
  plain: median(overPlain),
};
console.log(`medians of ${rounds} rounds (getJson ${median(clientNs).toFixed(1)} ns/call):`);
console.log(`  cached getJson / await Map.get, per call:        ${ratio(headline.awaited)} (target <= 1.5)`);
console.log(
  `  cached getJson / Powertools cached getSecret:    ${ratio(headline.powertools)} (target <= 0.3)`,
);
console.log(`  cached getJson / Map.get (no await):             ${ratio(headline.plain)}`);
const result = {
  bench: "client-cache",
  title: "Cached client read: await getJson vs await Map.get vs Powertools getSecret (transform json)",
  rows: [
    {
      name: "getJson / await Map.get",
      value: round3(headline.awaited),
      unit: "ratio",
      target: "<= 1.5",
      met: headline.awaited <= 1.5,
    },
    {
      name: "getJson / Powertools getSecret",
      value: round3(headline.powertools),
      unit: "ratio",
      target: "<= 0.3",
      met: headline.powertools <= 0.3,
    },
    {
      name: "getJson / Map.get (no await)",
      value: round3(headline.plain),
      unit: "ratio",
      target: null,
      met: null,
    },
    { name: "getJson per call", value: round3(median(clientNs)), unit: "ns", target: null, met: null },
    { name: "await Map.get per call", value: round3(median(awaitedNs)), unit: "ns", target: null, met: null },
    {
      name: "Powertools getSecret per call",
      value: round3(median(powertoolsNs)),
      unit: "ns",
      target: null,
      met: null,
    },
  ],
  notes: [
    `${calls} calls per side per round, ${rounds} rounds, medians of the per-round ratios; Node ${process.version}`,
    "both sides return a parsed object from a warm cache: getJson (env source, ttl 1 h) and getSecret({ transform: 'json', maxAge: 3600 }) after one fetch from a local endpoint",
  ],
};
console.log(`BENCH_RESULT ${JSON.stringify(result)}`);

function round3(x) {
  return Math.round(x * 1000) / 1000;
}
