// SigV4 verification per request: `verifier.parse` + `verifier.check` on a GetSecretValue signed by
// the AWS SDK's own signer, with the headers the JS SDK v3 sends, as node:http hands them over.
// In-process, no I/O: ns per verified request.
//
// BENCH_SIGV4_BASE=<dir>: also times another build's verifier (<dir>/auth/sigv4/index.js, e.g. a
// copy of packages/server/dist from before a change), alternating with this one in every round, and
// reports the ratio: before/after measured side by side in one run.
import { join } from "node:path";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { admin, benchResult, callCount, median, root, rounds, row } from "./support.mjs";

const signingDate = new Date("2024-05-01T12:00:00Z");
const body = Buffer.from(JSON.stringify({ SecretId: "bench/db" }));
const signer = new SignatureV4({
  service: "secretsmanager",
  region: "us-east-1",
  credentials: admin,
  sha256: Hash.bind(null, "sha256"),
});
// What @aws-sdk/client-secrets-manager puts on a GetSecretValue (user-agent is never signed).
const signed = await signer.sign(
  {
    method: "POST",
    protocol: "http:",
    hostname: "127.0.0.1:8080",
    path: "/",
    headers: {
      host: "127.0.0.1:8080",
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "secretsmanager.GetSecretValue",
      "content-length": String(body.length),
      "amz-sdk-invocation-id": "6c1d8a8e-2f5e-4a51-9d0b-5b1d2c3e4f50",
      "amz-sdk-request": "attempt=1; max=3",
      "x-amz-user-agent": "aws-sdk-js/3.600.0",
    },
    body: body.toString(),
  },
  { signingDate },
);
const headers = {};
const rawHeaders = [];
for (const [name, value] of Object.entries({
  ...signed.headers,
  "user-agent": "aws-sdk-js/3.600.0 ua/2.0 os/linux lang/js md/nodejs#20",
  connection: "keep-alive",
})) {
  headers[name.toLowerCase()] = value;
  rawHeaders.push(name, value);
}
const request = { method: "POST", rawUrl: "/", headers, rawHeaders, body };

async function verifierFrom(distDir) {
  const { createSigV4Verifier } = await import(join(distDir, "auth/sigv4/index.js"));
  const verifier = createSigV4Verifier({ service: "secretsmanager", now: () => signingDate.getTime() });
  // A wrong answer would make the timing meaningless.
  const parsed = verifier.parse(request);
  const verified = verifier.check(parsed, admin.secretAccessKey);
  if (verified.accessKeyId !== admin.accessKeyId) throw new Error(`${distDir}: verification failed`);
  return verifier;
}

function timeOnce(verifier, calls) {
  let sink = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    const verified = verifier.check(verifier.parse(request), admin.secretAccessKey);
    sink += verified.region.length;
  }
  const ns = Number(process.hrtime.bigint() - started) / calls;
  if (sink !== calls * 9) throw new Error("unexpected region");
  return ns;
}

const current = await verifierFrom(join(root, "packages/server/dist"));
const baseDir = process.env.BENCH_SIGV4_BASE;
const base = baseDir ? await verifierFrom(baseDir) : undefined;
// Short rounds, many of them, the two builds alternating: the machine is shared and its speed drifts.
const calls = callCount(30_000, 10_000);
timeOnce(current, calls / 4); // warm up
if (base) timeOnce(base, calls / 4);

const currentNs = [];
const baseNs = [];
const ratios = [];
for (let round = 0; round < Math.max(rounds * 3, 9); round++) {
  // Alternate which build goes first, so neither always runs on the warmer or the quieter side.
  const b0 = base && round % 2 === 1 ? timeOnce(base, calls) : undefined;
  const c = timeOnce(current, calls);
  currentNs.push(c);
  if (base) {
    const b = b0 ?? timeOnce(base, calls);
    baseNs.push(b);
    ratios.push(c / b);
  }
  console.log(
    `round ${round + 1}: ${c.toFixed(0)} ns per parse+check${base ? `, base ${baseNs.at(-1).toFixed(0)} ns` : ""}`,
  );
}

const rows = [row("parse + check per request", median(currentNs), "ns")];
if (base) {
  rows.push(row("base build, parse + check per request", median(baseNs), "ns"));
  rows.push(row("this build / base build", median(ratios), "ratio"));
}
benchResult("sigv4-verify", "SigV4 verification of a signed GetSecretValue (in process)", rows, [
  `${calls} calls per side per round, ${currentNs.length} rounds, medians (the ratio: median of the per-round ratios); Node ${process.version}`,
  "headers as the JS SDK v3 sends them (x-amz-content-sha256, amz-sdk-*, user-agent), 28-byte body",
  ...(base ? [`base build: ${baseDir}`] : []),
]);
