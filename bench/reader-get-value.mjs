#!/usr/bin/env node
// The domain's cost of one warm GetSecretValue: `await reader.getValue(scope, { secretId })` with
// the read model (docs/adr/0007) against the same reader without it (a SQLite snapshot read, the
// seal check and an envelope open per call), and against an awaited `Map.get`, N calls each, side
// by side in one run (rotating which goes first). Authorization runs on every call (the admin
// principal through the real Authorizer); the store is a real SQLite file in a temporary folder.
// For the read model, the ready answer (operations/wire.ts) is taken too: what the pipeline sends.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createIdentityServices } from "../packages/server/dist/app/identity-services.js";
import { createEnvelope } from "../packages/server/dist/crypto/envelope.js";
import { openKeyring } from "../packages/server/dist/crypto/keyring.js";
import { randomArnSuffix } from "../packages/server/dist/domain/secrets/arn.js";
import { SecretReader } from "../packages/server/dist/domain/secrets/secret-reader.js";
import { SecretWriter } from "../packages/server/dist/domain/secrets/secret-writer.js";
import { SqliteStore } from "../packages/server/dist/storage/sqlite/sqlite-store.js";
import { callCount, median, ratio, rounds, secretName, secretValue } from "./support.mjs";

const readModelModule = await import("../packages/server/dist/domain/secrets/read-model.js").catch(
  () => undefined,
);
const wireModule = await import("../packages/server/dist/operations/wire.js");

const calls = callCount(200_000, 20_000);
const home = mkdtempSync(join(tmpdir(), "coffer-bench-reader-"));
try {
  const store = new SqliteStore(join(home, "coffer.db"));
  const keyring = openKeyring({ home, masterKeyBase64: randomBytes(32).toString("base64") });
  const envelope = createEnvelope(keyring);
  const accountId = "123456789012";
  const now = Date.now;
  const { authorizer, identity } = createIdentityServices({
    store: store.identity,
    envelope,
    accountId,
    now,
  });
  const admin = await identity.ensureAdmin();
  const scope = {
    region: "us-east-1",
    caller: { principal: admin.arn, accessKeyId: "AKIABENCH", sourceIp: "" },
  };
  const base = {
    store,
    envelope,
    accountId,
    now,
    newVersionId: randomUUID,
    newArnSuffix: randomArnSuffix,
    authorizer,
  };
  const writer = new SecretWriter(base);
  await writer.create(scope, {
    name: secretName,
    value: { kind: "string", bytes: Buffer.from(secretValue) },
  });
  const plain = new SecretReader(base);
  const cached = readModelModule
    ? new SecretReader({ ...base, readModel: new readModelModule.SecretReadModel({ maxEntries: 10_000 }) })
    : undefined;
  const input = { secretId: secretName };
  const expected = (await plain.getValue(scope, input)).versionId;
  const map = new Map([[secretName, { versionId: expected }]]);

  async function readerLoop(reader, n) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      if ((await reader.getValue(scope, input)).versionId !== expected) throw new Error("wrong version");
    }
    return process.hrtime.bigint() - started;
  }
  async function readyLoop(reader, n) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const answer = wireModule.readValueToWire(await reader.getValue(scope, input));
      const json = wireModule.readyJsonOf?.(answer) ?? JSON.stringify(answer);
      if (json.length < 10) throw new Error("short answer");
    }
    return process.hrtime.bigint() - started;
  }
  async function mapLoop(n) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      if ((await map.get(secretName)).versionId !== expected) throw new Error("map miss");
    }
    return process.hrtime.bigint() - started;
  }

  const sides = {
    "reader.getValue, no read model": (n) => readerLoop(plain, n),
    "reader.getValue + wire answer, no read model": (n) => readyLoop(plain, n),
    ...(cached
      ? {
          "reader.getValue, read model": (n) => readerLoop(cached, n),
          "reader.getValue + ready answer, read model": (n) => readyLoop(cached, n),
        }
      : {}),
    "awaited Map.get": (n) => mapLoop(n),
  };
  const names = Object.keys(sides);
  for (const name of names) await sides[name](Math.min(calls, 20_000)); // warm-up
  const perCall = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const name of order) perCall[name].push(Number(await sides[name](calls)) / calls);
  }
  const rows = names.map((name) => ({
    name: `${name} (ns/call)`,
    value: Math.round(median(perCall[name])),
    unit: "ns",
    target: null,
    met: null,
  }));
  for (const row of rows) console.log(`${row.name.padEnd(60)} ${String(row.value).padStart(8)}`);
  const notes = [`${calls} calls per side per round, ${rounds} rounds, median per call`];
  if (cached) {
    const speedup =
      median(perCall["reader.getValue, no read model"]) / median(perCall["reader.getValue, read model"]);
    rows.push({
      name: "read model speed-up (no model / model)",
      value: Number(ratio(speedup)),
      unit: "x",
      target: null,
      met: null,
    });
    console.log(`read model speed-up: ${ratio(speedup)}x`);
  }
  console.log(
    `BENCH_RESULT ${JSON.stringify({ bench: "reader-get-value", title: "Warm GetSecretValue in the domain, in process", rows, notes })}`,
  );
  await store.close();
} finally {
  rmSync(home, { recursive: true, force: true });
}
