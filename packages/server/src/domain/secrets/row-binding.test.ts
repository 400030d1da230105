import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { type TestContext, test } from "node:test";
import { createEnvelope } from "../../crypto/envelope.js";
import { openKeyring } from "../../crypto/keyring.js";
import { openTestStores, requireTestStores } from "../../storage/test-stores.test-helper.js";
import { randomArnSuffix } from "./arn.js";
import type { SecretDomainDeps } from "./deps.js";
import { SecretReader } from "./secret-reader.js";
import { SecretWriter } from "./secret-writer.js";

// An attacker with write access to the database but not the master key edits rows directly; every
// edit that would change which plaintext a caller receives must fail closed as DecryptionFailure.

const { skip } = requireTestStores();
const scope = { region: "us-east-1" };

/**
 * The domain over fresh stores, closed when `t` ends. `attacker` edits rows straight in the
 * database (its file, or its server), foreign keys unchecked; it has no master key.
 */
async function domain(t: TestContext) {
  const keyring = openKeyring({ home: "/nonexistent", masterKeyBase64: randomBytes(32).toString("base64") });
  const attacker = await openTestStores();
  t.after(() => attacker.close());
  const deps: SecretDomainDeps = {
    store: attacker.stores.secrets,
    envelope: createEnvelope(keyring),
    accountId: "123456789012",
    now: Date.now,
    newVersionId: randomUUID,
    newArnSuffix: randomArnSuffix,
  };
  return { deps, attacker, reader: new SecretReader(deps), writer: new SecretWriter(deps) };
}

const text = (s: string) => ({ kind: "string" as const, bytes: Buffer.from(s) });
const read = async (reader: SecretReader, secretId: string, extra: object = {}) =>
  (await reader.getValue(scope, { secretId, ...extra })).value.bytes.toString();
const failsClosed = { name: "DecryptionFailure" };
const ofSecret = "secret_id = (SELECT id FROM secrets WHERE arn = $1)";

async function twoSecrets(t: TestContext) {
  const d = await domain(t);
  const a = await d.writer.create(scope, { name: "alpha", value: text("alpha-1") });
  await d.writer.putValue(scope, { secretId: "alpha", value: text("alpha-2") });
  const b = await d.writer.create(scope, { name: "bravo", value: text("bravo-1") });
  await d.writer.putValue(scope, { secretId: "bravo", value: text("bravo-2") });
  assert.equal(await read(d.reader, "alpha"), "alpha-2");
  assert.equal(await read(d.reader, "bravo"), "bravo-2");
  return { ...d, a, b };
}

test("swapping the names of two secrets fails closed instead of returning the other value", {
  skip,
}, async (t) => {
  const { attacker, reader } = await twoSecrets(t);
  await attacker.rawTransaction([
    ["UPDATE secrets SET name = 'tmp' WHERE name = 'alpha'"],
    ["UPDATE secrets SET name = 'alpha' WHERE name = 'bravo'"],
    ["UPDATE secrets SET name = 'bravo' WHERE name = 'tmp'"],
  ]);
  await assert.rejects(read(reader, "alpha"), failsClosed);
  await assert.rejects(read(reader, "bravo"), failsClosed);
});

test("moving AWSCURRENT back to an old version fails closed", { skip }, async (t) => {
  const { attacker, reader, a } = await twoSecrets(t);
  const [previous] = await attacker.rawSql(
    `SELECT version_id FROM secret_versions WHERE ${ofSecret} AND stages LIKE '%AWSPREVIOUS%'`,
    [a.arn],
  );
  const old = previous?.version_id as string;
  await attacker.rawTransaction([
    [`DELETE FROM version_stages WHERE ${ofSecret} AND stage = 'AWSCURRENT'`, [a.arn]],
    [
      "INSERT INTO version_stages (secret_id, stage, version_id) VALUES ((SELECT id FROM secrets WHERE arn = $1), 'AWSCURRENT', $2)",
      [a.arn, old],
    ],
    [`UPDATE secret_versions SET stages = $2 WHERE ${ofSecret}`, [a.arn, "[]"]],
    [
      `UPDATE secret_versions SET stages = $2 WHERE ${ofSecret} AND version_id = $3`,
      [a.arn, '["AWSCURRENT"]', old],
    ],
  ]);
  await assert.rejects(read(reader, "alpha"), failsClosed);
  // The old version by id is still the genuine old value, but its labels are not what was signed.
  await assert.rejects(read(reader, "alpha", { versionId: old }), failsClosed);
});

test("relabelling only the stages column of a version fails closed", { skip }, async (t) => {
  const { attacker, reader, a } = await twoSecrets(t);
  await attacker.rawSql(
    `UPDATE secret_versions SET stages = '["AWSCURRENT","AWSPENDING"]' WHERE ${ofSecret} AND stages LIKE '%AWSCURRENT%'`,
    [a.arn],
  );
  await assert.rejects(read(reader, "alpha"), failsClosed);
});

test("changing the kind of a version fails closed instead of returning a string as binary", {
  skip,
}, async (t) => {
  const { attacker, reader, a } = await twoSecrets(t);
  await attacker.rawSql(`UPDATE secret_versions SET kind = 'binary' WHERE ${ofSecret}`, [a.arn]);
  await assert.rejects(read(reader, "alpha"), failsClosed);
});

test("moving a version row to another secret fails closed", { skip }, async (t) => {
  const { attacker, reader, a, b } = await twoSecrets(t);
  const moveFromAToB =
    "SET secret_id = (SELECT id FROM secrets WHERE arn = $1) WHERE secret_id = (SELECT id FROM secrets WHERE arn = $2)";
  await attacker.rawTransaction([
    [`DELETE FROM version_stages WHERE ${ofSecret}`, [b.arn]],
    [`DELETE FROM secret_versions WHERE ${ofSecret}`, [b.arn]],
    [`UPDATE version_stages ${moveFromAToB}`, [b.arn, a.arn]],
  ]);
  await attacker.rawSql(`UPDATE secret_versions ${moveFromAToB}`, [b.arn, a.arn]);
  await assert.rejects(read(reader, "bravo"), failsClosed);
});

test("granting access through the resource-policy column fails closed for value reads", {
  skip,
}, async (t) => {
  const { attacker, reader, a } = await twoSecrets(t);
  await attacker.rawSql("UPDATE secrets SET resource_policy = $1 WHERE arn = $2", [
    '{"Version":"2012-10-17","Statement":[]}',
    a.arn,
  ]);
  await assert.rejects(read(reader, "alpha"), failsClosed);
});

test("ordinary changes keep every secret readable, and batch reads report a tampered one as an error", {
  skip,
}, async (t) => {
  const { attacker, reader, writer, a } = await twoSecrets(t);
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

  await attacker.rawSql(`UPDATE secret_versions SET kind = 'binary' WHERE ${ofSecret}`, [a.arn]);
  const batch = await reader.batchGetValues(scope, { secretIds: ["alpha", "bravo"] });
  assert.deepEqual(
    batch.errors.map((e) => [e.secretId, e.error.awsName]),
    [["alpha", "DecryptionFailure"]],
  );
  assert.equal(batch.values[0]?.value.bytes.toString(), "bravo-2");
});
