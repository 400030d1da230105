import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { REDACTED } from "../../../audit/event.js";
import { arnOf, openTrail, sampleEvent, tempDataFolder } from "./fixtures.test-helper.js";

const CANARY = "CANARY-b7d1e0-secret-value-must-never-be-stored";
const needles = [
  CANARY,
  Buffer.from(CANARY).toString("base64"),
  Buffer.from(CANARY).toString("hex"),
  Buffer.from(CANARY, "utf16le").toString("latin1"),
].map((text) => Buffer.from(text, "latin1"));

function assertNoCanary(path: string) {
  if (!existsSync(path)) return;
  const bytes = readFileSync(path);
  for (const needle of needles) {
    assert.equal(
      bytes.indexOf(needle),
      -1,
      `${path} contains the canary (${needle.toString("latin1").slice(0, 20)}…)`,
    );
  }
}

describe("secret values never reach audit.db", () => {
  it("redacts the canary wherever the request or answer carries it, in the database and the WAL", async () => {
    const dir = tempDataFolder();
    const { log, store } = openTrail(dir);
    const b64 = Buffer.from(CANARY).toString("base64");
    const calls: Array<Parameters<typeof sampleEvent>[1]> = [
      {
        operation: "CreateSecret",
        request: { Name: "db", SecretString: CANARY, Tags: [{ Key: "k", Value: "v" }] },
      },
      { operation: "CreateSecret", request: { Name: "db", SecretBinary: b64 } },
      {
        operation: "PutSecretValue",
        request: { SecretId: "db", SecretString: CANARY, SecretBinary: b64, RotationToken: CANARY },
      },
      {
        operation: "UpdateSecret",
        request: { SecretId: "db", SecretString: { nested: [CANARY, { deeper: CANARY }] } },
      },
      { operation: "UpdateSecret", request: { SecretId: "db", Unmodelled: { SecretString: CANARY } } },
      {
        operation: "CreateSecret",
        request: { Name: "db", AddReplicaRegions: [{ Region: "eu-west-1", Extra: CANARY }] },
      },
      { operation: "NotAnOperation", request: { SecretString: CANARY } },
      {
        operation: "GetSecretValue",
        result: { response: { ARN: arnOf("db"), Name: "db", SecretString: CANARY, SecretBinary: b64 } },
      },
      {
        operation: "GetRandomPassword",
        request: { PasswordLength: 48 },
        result: { response: { RandomPassword: CANARY } },
      },
      {
        operation: "BatchGetSecretValue",
        request: { SecretIdList: ["db"] },
        result: {
          response: { SecretValues: [{ ARN: arnOf("db"), Name: "db", SecretString: CANARY }], Errors: [] },
        },
      },
      {
        operation: "CreateSecret",
        request: { Name: "db", SecretString: CANARY },
        result: { error: { awsName: "ValidationException", message: "Invalid SecretString length." } },
      },
    ];
    await Promise.all(calls.map((overrides, i) => log.append(sampleEvent(i, overrides))));
    // Many more, so the WAL holds pages of them before any checkpoint.
    await Promise.all(
      Array.from({ length: 300 }, (_, i) => log.append(sampleEvent(100 + i, calls[i % calls.length]))),
    );

    const stored = await store.readFrom(1, 1000);
    assert.equal(stored.length, calls.length + 300);
    assert.ok(JSON.stringify(stored).includes(REDACTED), "the sensitive members were recorded as redacted");
    assert.ok(existsSync(`${dir}/audit.db-wal`), "the WAL is checked while it exists");
    for (const suffix of ["", "-wal", "-shm"]) assertNoCanary(`${dir}/audit.db${suffix}`);
    await log.close();
    for (const suffix of ["", "-wal", "-shm"]) assertNoCanary(`${dir}/audit.db${suffix}`);
  });
});
