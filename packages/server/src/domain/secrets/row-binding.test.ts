import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import { createEnvelope } from "../../crypto/envelope.js";
import { openKeyring } from "../../crypto/keyring.js";
import { SqliteStore } from "../../storage/sqlite/sqlite-store.js";
import { randomArnSuffix } from "./arn.js";
import type { SecretDomainDeps } from "./deps.js";
import { SecretReader } from "./secret-reader.js";
import { SecretWriter } from "./secret-writer.js";

// An attacker with write access to the database but not the master key edits rows directly; every
// edit that would change which plaintext a caller receives must fail closed as DecryptionFailure.

const scope = { region: "us-east-1" };
const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function domain() {
  const root = mkdtempSync(join(tmpdir(), "coffer-binding-"));
  roots.push(root);
  const path = join(root, "coffer.db");
  const keyring = openKeyring({ home: root, masterKeyBase64: randomBytes(32).toString("base64") });
  const store = new SqliteStore(path);
  const deps: SecretDomainDeps = {
    store,
    envelope: createEnvelope(keyring),
    accountId: "123456789012",
    now: Date.now,
    newVersionId: randomUUID,
    newArnSuffix: randomArnSuffix,
  };
  const attacker = new Database(path);
  attacker.pragma("foreign_keys = OFF");
  after(() => {
    attacker.close();
    return store.close();
  });
  return { deps, store, attacker, reader: new SecretReader(deps), writer: new SecretWriter(deps) };
}

const text = (s: string) => ({ kind: "string" as const, bytes: Buffer.from(s) });
const read = async (reader: SecretReader, secretId: string, extra: object = {}) =>
  (await reader.getValue(scope, { secretId, ...extra })).value.bytes.toString();
const failsClosed = { name: "DecryptionFailure" };

async function twoSecrets() {
  const d = domain();
  const a = await d.writer.create(scope, { name: "alpha", value: text("alpha-1") });
  await d.writer.putValue(scope, { secretId: "alpha", value: text("alpha-2") });
  const b = await d.writer.create(scope, { name: "bravo", value: text("bravo-1") });
  await d.writer.putValue(scope, { secretId: "bravo", value: text("bravo-2") });
  assert.equal(await read(d.reader, "alpha"), "alpha-2");
  assert.equal(await read(d.reader, "bravo"), "bravo-2");
  return { ...d, a, b };
}

test("swapping the names of two secrets fails closed instead of returning the other value", async () => {
  const { attacker, reader } = await twoSecrets();
  attacker.transaction(() => {
    attacker.prepare("UPDATE secrets SET name = 'tmp' WHERE name = 'alpha'").run();
    attacker.prepare("UPDATE secrets SET name = 'alpha' WHERE name = 'bravo'").run();
    attacker.prepare("UPDATE secrets SET name = 'bravo' WHERE name = 'tmp'").run();
  })();
  await assert.rejects(read(reader, "alpha"), failsClosed);
  await assert.rejects(read(reader, "bravo"), failsClosed);
});

test("moving AWSCURRENT back to an old version fails closed", async () => {
  const { attacker, reader, a } = await twoSecrets();
  const old = attacker
    .prepare(
      "SELECT version_id FROM secret_versions WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?) AND stages LIKE '%AWSPREVIOUS%'",
    )
    .pluck()
    .get(a.arn) as string;
  attacker.transaction(() => {
    attacker
      .prepare(
        "DELETE FROM version_stages WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?) AND stage = 'AWSCURRENT'",
      )
      .run(a.arn);
    attacker
      .prepare(
        "INSERT INTO version_stages (secret_id, stage, version_id) VALUES ((SELECT id FROM secrets WHERE arn = ?), 'AWSCURRENT', ?)",
      )
      .run(a.arn, old);
    attacker
      .prepare(
        "UPDATE secret_versions SET stages = ? WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?)",
      )
      .run("[]", a.arn);
    attacker
      .prepare(
        "UPDATE secret_versions SET stages = ? WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?) AND version_id = ?",
      )
      .run('["AWSCURRENT"]', a.arn, old);
  })();
  await assert.rejects(read(reader, "alpha"), failsClosed);
  // The old version by id is still the genuine old value, but its labels are not what was signed.
  await assert.rejects(read(reader, "alpha", { versionId: old }), failsClosed);
});

test("relabelling only the stages column of a version fails closed", async () => {
  const { attacker, reader, a } = await twoSecrets();
  attacker
    .prepare(
      "UPDATE secret_versions SET stages = '[\"AWSCURRENT\",\"AWSPENDING\"]' WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?) AND stages LIKE '%AWSCURRENT%'",
    )
    .run(a.arn);
  await assert.rejects(read(reader, "alpha"), failsClosed);
});

test("changing the kind of a version fails closed instead of returning a string as binary", async () => {
  const { attacker, reader, a } = await twoSecrets();
  attacker
    .prepare(
      "UPDATE secret_versions SET kind = 'binary' WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?)",
    )
    .run(a.arn);
  await assert.rejects(read(reader, "alpha"), failsClosed);
});

test("moving a version row to another secret fails closed", async () => {
  const { attacker, reader, a, b } = await twoSecrets();
  attacker.transaction(() => {
    attacker
      .prepare("DELETE FROM version_stages WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?)")
      .run(b.arn);
    attacker
      .prepare("DELETE FROM secret_versions WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?)")
      .run(b.arn);
    attacker
      .prepare(
        "UPDATE version_stages SET secret_id = (SELECT id FROM secrets WHERE arn = ?) WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?)",
      )
      .run(b.arn, a.arn);
  })();
  attacker
    .prepare(
      "UPDATE secret_versions SET secret_id = (SELECT id FROM secrets WHERE arn = ?) WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?)",
    )
    .run(b.arn, a.arn);
  await assert.rejects(read(reader, "bravo"), failsClosed);
});

test("granting access through the resource-policy column fails closed for value reads", async () => {
  const { attacker, reader, a } = await twoSecrets();
  attacker
    .prepare("UPDATE secrets SET resource_policy = ? WHERE arn = ?")
    .run('{"Version":"2012-10-17","Statement":[]}', a.arn);
  await assert.rejects(read(reader, "alpha"), failsClosed);
});

test("ordinary changes keep every secret readable, and batch reads report a tampered one as an error", async () => {
  const { attacker, reader, writer, a } = await twoSecrets();
  await writer.tag(scope, "alpha", [{ Key: "team", Value: "x" }]);
  await writer.update(scope, { secretId: "alpha", description: "d" });
  const v3 = await writer.putValue(scope, {
    secretId: "alpha",
    value: text("alpha-3"),
    stages: ["AWSPENDING"],
  });
  assert.equal(await read(reader, "alpha", { versionStage: "AWSPENDING" }), "alpha-3");
  await writer.updateVersionStage(scope, {
    secretId: "alpha",
    stage: "AWSCURRENT",
    moveToVersionId: v3.versionId,
    removeFromVersionId: (await reader.listVersions(scope, { secretId: "alpha" })).versions.find((v) =>
      v.stages.includes("AWSCURRENT"),
    )?.versionId as string,
  });
  assert.equal(await read(reader, "alpha"), "alpha-3");
  assert.equal(await read(reader, "alpha", { versionStage: "AWSPREVIOUS" }), "alpha-2");
  await writer.delete(scope, { secretId: "alpha", recoveryWindowInDays: 7 });
  await writer.restore(scope, "alpha");
  assert.equal(await read(reader, "alpha"), "alpha-3");

  attacker
    .prepare(
      "UPDATE secret_versions SET kind = 'binary' WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?)",
    )
    .run(a.arn);
  const batch = await reader.batchGetValues(scope, { secretIds: ["alpha", "bravo"] });
  assert.deepEqual(
    batch.errors.map((e) => [e.secretId, e.error.awsName]),
    [["alpha", "DecryptionFailure"]],
  );
  assert.equal(batch.values[0]?.value.bytes.toString(), "bravo-2");
});
