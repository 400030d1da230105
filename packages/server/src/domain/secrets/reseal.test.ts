import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { createEnvelope, type Envelope } from "../../crypto/envelope.js";
import { openKeyring, rotateKeyringFile } from "../../crypto/keyring.js";
import { openTestStores, requireTestStores, type TestStores } from "../../storage/test-stores.test-helper.js";
import { randomArnSuffix } from "./arn.js";
import type { SecretDomainDeps } from "./deps.js";
import { RESEAL_PENDING_SETTING, resealLegacySecrets, resealUnderActiveKey } from "./reseal.js";
import { SecretReader } from "./secret-reader.js";
import { SecretWriter } from "./secret-writer.js";

const { skip } = requireTestStores();
const scope = { region: "us-east-1" };

/**
 * The domain over fresh stores and a keyring file in a temp folder, all closed and removed when `t`
 * ends. `db` edits rows straight in the database (rawSql), as an older Coffer or an operator would.
 */
async function domain(t: TestContext) {
  const root = mkdtempSync(join(tmpdir(), "coffer-reseal-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const keyring = openKeyring({ home: root, fileCheckIntervalMs: 0 });
  const db = await openTestStores();
  t.after(() => db.close());
  const store = db.stores.secrets;
  const envelope = createEnvelope(keyring);
  const deps: SecretDomainDeps = {
    store,
    envelope,
    accountId: "123456789012",
    now: Date.now,
    newVersionId: randomUUID,
    newArnSuffix: randomArnSuffix,
  };
  return {
    root,
    deps,
    store,
    settings: db.stores.settings,
    envelope,
    db,
    reader: new SecretReader(deps),
    writer: new SecretWriter(deps),
  };
}

const text = (s: string) => ({ kind: "string" as const, bytes: Buffer.from(s) });
const read = async (reader: SecretReader, secretId: string, extra: object = {}) =>
  (await reader.getValue(scope, { secretId, ...extra })).value.bytes.toString();

/** Asks for a re-seal at the next start, as a fresh upgrade does (portable upsert: both engines). */
const resealPending: readonly [string, readonly unknown[]] = [
  "INSERT INTO settings (key, value) VALUES ($1, 'pending') ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  [RESEAL_PENDING_SETTING],
];
const ofSecret = "secret_id = (SELECT id FROM secrets WHERE arn = $1)";

/** Rewrites a secret's rows as a Coffer from before ADR 0006 stored them: no seal, kind not in the AAD. */
async function makeLegacy(db: TestStores, envelope: Envelope, arn: string) {
  const versions = (await db.rawSql(`SELECT version_id, kind FROM secret_versions WHERE ${ofSecret}`, [
    arn,
  ])) as Array<{ version_id: string; kind: string }>;
  for (const v of versions) {
    const plaintext = Buffer.from(`legacy ${v.version_id}`);
    const sealed = envelope.seal(plaintext, `${arn}\n${v.version_id}`);
    await db.rawSql(
      `UPDATE secret_versions SET kek_id = $2, wrapped_key = $3, ciphertext = $4 WHERE ${ofSecret} AND version_id = $5`,
      [arn, sealed.kekId, sealed.wrappedKey, sealed.ciphertext, v.version_id],
    );
  }
  await db.rawSql("UPDATE secrets SET seal_kek_id = NULL, seal_mac = NULL WHERE arn = $1", [arn]);
  await db.rawSql(...resealPending);
  return versions.map((v) => v.version_id);
}

test("rows from before the binding are re-sealed once at start and read as before", { skip }, async (t) => {
  const { db, envelope, store, settings, reader, writer } = await domain(t);
  const a = await writer.create(scope, { name: "old/a", value: text("x") });
  await writer.putValue(scope, { secretId: "old/a", value: text("y") });
  const b = await writer.create(scope, { name: "old/b" });
  const ids = await makeLegacy(db, envelope, a.arn);
  await makeLegacy(db, envelope, b.arn);
  // Unsealed rows are never served.
  await assert.rejects(read(reader, "old/a"), { name: "DecryptionFailure" });

  assert.deepEqual(await resealLegacySecrets({ store, settings, envelope }), {
    resealed: 2,
    refused: 0,
  });
  assert.equal(await settings.getSetting(RESEAL_PENDING_SETTING), undefined);
  const current = (await reader.getValue(scope, { secretId: "old/a" })).versionId;
  assert.equal(await read(reader, "old/a"), `legacy ${current}`);
  for (const versionId of ids)
    assert.equal(await read(reader, "old/a", { versionId }), `legacy ${versionId}`);
  await writer.putValue(scope, { secretId: "old/b", value: text("new") });
  assert.equal(await read(reader, "old/b"), "new");
  // The legacy AAD is gone for good: the kind is bound from now on.
  await db.rawSql(`UPDATE secret_versions SET kind = 'binary' WHERE ${ofSecret}`, [a.arn]);
  await assert.rejects(read(reader, "old/a"), { name: "DecryptionFailure" });
});

test("stripping the seal off a current row does not get edited metadata re-sealed", { skip }, async (t) => {
  const { db, store, settings, envelope, reader, writer } = await domain(t);
  const a = await writer.create(scope, { name: "alpha", value: text("alpha") });
  const b = await writer.create(scope, { name: "bravo", value: text("bravo") });
  // Swap the names, strip both seals, and ask for a re-seal as a fresh upgrade would.
  await db.rawTransaction([
    ["UPDATE secrets SET name = 'tmp' WHERE arn = $1", [a.arn]],
    ["UPDATE secrets SET name = 'alpha' WHERE arn = $1", [b.arn]],
    ["UPDATE secrets SET name = 'bravo' WHERE arn = $1", [a.arn]],
    ["UPDATE secrets SET seal_kek_id = NULL, seal_mac = NULL"],
    resealPending,
  ]);
  assert.deepEqual(await resealLegacySecrets({ store, settings, envelope }), {
    resealed: 0,
    refused: 2,
  });
  await assert.rejects(read(reader, "alpha"), { name: "DecryptionFailure" });
  await assert.rejects(read(reader, "bravo"), { name: "DecryptionFailure" });

  // A current row whose seal alone was stripped stays refused too: its value opens under the new AAD.
  const c = await writer.create(scope, { name: "charlie", value: text("c") });
  await db.rawSql("UPDATE secrets SET seal_kek_id = NULL, seal_mac = NULL WHERE arn = $1", [c.arn]);
  await db.rawSql(...resealPending);
  assert.deepEqual(await resealLegacySecrets({ store, settings, envelope }), {
    resealed: 0,
    refused: 3,
  });
  await assert.rejects(read(reader, "charlie"), { name: "DecryptionFailure" });
});

test("master-key rotation re-seals verified secrets under the new key and never launders an edited one", {
  skip,
}, async (t) => {
  const { root, db, envelope, store, settings, reader, writer } = await domain(t);
  await writer.create(scope, { name: "kept", value: text("kept") });
  const edited = await writer.create(scope, { name: "edited", value: text("edited") });
  const { previousId, newId } = rotateKeyringFile(root);
  await db.rawSql("UPDATE secrets SET description = 'edited' WHERE arn = $1", [edited.arn]);

  assert.deepEqual(await resealUnderActiveKey({ store, settings, envelope }, newId), {
    resealed: 1,
    unverifiable: 1,
  });
  const kekIds = await db.rawSql("SELECT name, seal_kek_id FROM secrets ORDER BY name");
  assert.deepEqual(kekIds, [
    { name: "edited", seal_kek_id: previousId },
    { name: "kept", seal_kek_id: newId },
  ]);
  assert.ok((await store.referencedKekIds()).includes(previousId));
  assert.equal(await read(reader, "kept"), "kept");
  await assert.rejects(read(reader, "edited"), { name: "DecryptionFailure" });
});
