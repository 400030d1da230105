#!/usr/bin/env node
// The cost of @coffer/client on a cache miss: `secrets.getJson(id, { forceFetch: true })` (always
// goes to the server) against the raw SDK call it wraps, `send(GetSecretValueCommand)` +
// `JSON.parse`, against a real Coffer server process. Both sides share one SDK client (same
// credentials, keep-alive connection and signer), make K sequential calls per round, and alternate
// in blocks of 20 calls within each round, so drift and the server's fsync jitter hit both alike.
// Every call is timed; the headline is the per-call ratio client / raw SDK of the median call
// (robust to the server's occasional slow commit), with the ratio of the means beside it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { createSecrets } from "../packages/client/dist/index.js";
import {
  admin,
  benchResult,
  callCount,
  cofferEnv,
  hasTaskset,
  median,
  pinSelf,
  ratio,
  root,
  rounds,
  row,
  secretName,
  secretValue,
  startServerProcess,
} from "./support.mjs";

const calls = callCount(600, 100); // a cold fetch is a full round trip: ~1–6 ms here
const block = 20;
const mean = (values) => values.reduce((sum, x) => sum + x, 0) / values.length;
// The SDK's notice that releases after January 2027 need Node 22 is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const expected = JSON.parse(secretValue).password;
const home = mkdtempSync(join(tmpdir(), "coffer-bench-"));
let server;
let sdk;
let secrets;
try {
  server = await startServerProcess(join(root, "packages/server/dist/main.js"), cofferEnv(home));
  // The server runs on CPU 0 (when taskset exists); keep the client off it.
  const pinned = pinSelf(1);
  sdk = new SecretsManagerClient({ endpoint: server.url, region: "us-east-1", credentials: admin });
  await sdk.send(new CreateSecretCommand({ Name: secretName, SecretString: secretValue }));
  secrets = createSecrets({
    sources: [{ kind: "coffer", client: sdk, changeFeed: false }],
    changeFeed: false,
  });

  // One call of each side, timed on its own.
  const sides = [
    async () => {
      const started = process.hrtime.bigint();
      const value = await secrets.getJson(secretName, { forceFetch: true });
      const elapsed = process.hrtime.bigint() - started;
      if (value.password !== expected) throw new Error("client: another value");
      return Number(elapsed) / 1000;
    },
    async () => {
      const started = process.hrtime.bigint();
      const output = await sdk.send(new GetSecretValueCommand({ SecretId: secretName }));
      const value = JSON.parse(output.SecretString);
      const elapsed = process.hrtime.bigint() - started;
      if (value.password !== expected) throw new Error("sdk: another value");
      return Number(elapsed) / 1000;
    },
  ];
  /** K calls of each side, interleaved in blocks (A block, B block, …, first side rotating by round). */
  async function run(round) {
    const times = sides.map(() => []);
    for (let done = 0; done < calls; done += block) {
      const n = Math.min(block, calls - done);
      for (let k = 0; k < sides.length; k++) {
        const i = (round + k) % sides.length;
        for (let j = 0; j < n; j++) times[i].push(await sides[i]());
      }
    }
    return times;
  }
  await run(0); // warm-up: connection, JIT, server caches

  console.log(
    `GetSecretValue cache miss: client getJson({ forceFetch: true }) vs raw SDK send + JSON.parse, ${calls} sequential calls each per round (interleaved in blocks of ${block}), ${rounds} rounds${hasTaskset ? `, server on cpu 0${pinned ? ", bench on cpu 1" : ""}` : ""}`,
  );
  const medianRatios = [];
  const meanRatios = [];
  const clientUs = [];
  const sdkUs = [];
  for (let round = 0; round < rounds; round++) {
    const [client, raw] = await run(round);
    const [clientMedian, rawMedian] = [median(client), median(raw)];
    const [clientMean, rawMean] = [mean(client), mean(raw)];
    medianRatios.push(clientMedian / rawMedian);
    meanRatios.push(clientMean / rawMean);
    clientUs.push(clientMedian);
    sdkUs.push(rawMedian);
    console.log(
      `  round ${round + 1}: client ${clientMedian.toFixed(1)} µs/call (mean ${clientMean.toFixed(1)}), raw SDK ${rawMedian.toFixed(1)} µs/call (mean ${rawMean.toFixed(1)})` +
        ` | ratio ${ratio(clientMedian / rawMedian)} (of means ${ratio(clientMean / rawMean)})`,
    );
  }
  console.log(
    `medians of ${rounds} rounds (client ${median(clientUs).toFixed(1)} µs, raw SDK ${median(sdkUs).toFixed(1)} µs):`,
  );
  console.log(`  client cold fetch / raw SDK call, per call (median call):  ${ratio(median(medianRatios))}`);
  console.log(`  client cold fetch / raw SDK call, per call (mean call):    ${ratio(median(meanRatios))}`);
  benchResult(
    "client-cold-fetch",
    "Client cache miss: getJson({ forceFetch: true }) vs the raw SDK call",
    [
      row("client cold fetch / raw SDK call (median call)", median(medianRatios), "×"),
      row("client cold fetch / raw SDK call (mean call)", median(meanRatios), "×"),
      row("client cold fetch, median call", median(clientUs), "µs"),
      row("raw SDK GetSecretValue + JSON.parse, median call", median(sdkUs), "µs"),
    ],
    [
      `${calls} sequential calls per side per round, interleaved in blocks of ${block}, median of ${rounds} rounds`,
    ],
  );
} finally {
  await secrets?.close();
  sdk?.destroy();
  await server?.stop();
  rmSync(home, { recursive: true, force: true });
}
