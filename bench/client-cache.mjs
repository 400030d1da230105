#!/usr/bin/env node
// The cost of a cached read through @coffer/client: `await secrets.getJson(id)` on a warm cache
// against `Map.get` of the very same parsed object, N calls each in a tight loop, side by side in
// one run (client, awaited Map.get, plain Map.get per round, rotating which goes first). The
// headline is the per-call ratio client / awaited Map.get (like with like: a user awaits getJson);
// the ratio to a plain synchronous Map.get is printed too. The source is the in-process `env`
// backend, so nothing here touches the network; after the warm-up every call is a cache hit.
import { createSecrets } from "../packages/client/dist/index.js";
import { callCount, median, ratio, rounds, secretName, secretValue } from "./support.mjs";

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

const sides = [clientLoop, awaitedMapLoop, mapLoop];
const perCall = (nanoseconds) => Number(nanoseconds) / calls;

// Warm-up: let the JIT optimize every loop before anything is timed.
for (let i = 0; i < 3; i++) for (const side of sides) await side(Math.min(calls, 200_000));

console.log(`cached getJson vs Map.get, ${calls} calls per run, ${rounds} rounds`);
const overAwaited = [];
const overPlain = [];
const clientNs = [];
for (let round = 0; round < rounds; round++) {
  const ns = new Array(sides.length);
  for (let k = 0; k < sides.length; k++) {
    const i = (round + k) % sides.length;
    ns[i] = perCall(await sides[i](calls));
  }
  const [client, awaited, plain] = ns;
  clientNs.push(client);
  overAwaited.push(client / awaited);
  overPlain.push(client / plain);
  console.log(
    `  round ${round + 1}: getJson ${client.toFixed(1)} ns/call, await Map.get ${awaited.toFixed(1)} ns/call, Map.get ${plain.toFixed(1)} ns/call` +
      ` | getJson/awaited ${ratio(client / awaited)}, getJson/plain ${ratio(client / plain)}`,
  );
}
await secrets.close();
console.log(`medians of ${rounds} rounds (getJson ${median(clientNs).toFixed(1)} ns/call):`);
console.log(`  cached getJson / await Map.get, per call:  ${ratio(median(overAwaited))}`);
console.log(`  cached getJson / Map.get (no await):       ${ratio(median(overPlain))}`);
