import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import { createEnvelope, type Envelope } from "../../crypto/envelope.js";
import { openKeyring, rotateKeyringFile } from "../../crypto/keyring.js";
import { SqliteStore } from "../../storage/sqlite/sqlite-store.js";
import { randomArnSuffix } from "./arn.js";
import type { SecretDomainDeps } from "./deps.js";
import { RESEAL_PENDING_SETTING, resealLegacySecrets, resealUnderActiveKey } from "./reseal.js";
import { SecretReader } from "./secret-reader.js";
import { SecretWriter } from "./secret-writer.js";

const scope = { region: "us-east-1" };
const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function domain() {
  const root = mkdtempSync(join(tmpdir(), "coffer-reseal-"));
  roots.push(root);
  const path = join(root, "coffer.db");
  const keyring = openKeyring({ home: root, fileCheckIntervalMs: 0 });
  const store = new SqliteStore(path);
  const envelope = createEnvelope(keyring);
  const deps: SecretDomainDeps = {
    store,
    envelope,
    accountId: "123456789012",
    now: Date.now,
    newVersionId: randomUUID,
    newArnSuffix: randomArnSuffix,
  };
  const db = new Database(path);
  after(() => {
    db.close();
    return store.close();
  });
  return { root, deps, store, envelope, db, reader: new SecretReader(deps), writer: new SecretWriter(deps) };
}

const text = (s: string) => ({ kind: "string" as const, bytes: Buffer.from(s) });
const read = async (reader: SecretReader, secretId: string, extra: object = {}) =>
  (await reader.getValue(scope, { secretId, ...extra })).value.bytes.toString();

/** Rewrites a secret's rows as a Coffer from before ADR 0006 stored them: no seal, kind not in the AAD. */
function makeLegacy(db: Database.Database, envelope: Envelope, arn: string) {
  const versions = db
    .prepare(
      "SELECT version_id, kind FROM secret_versions WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?)",
    )
    .all(arn) as Array<{ version_id: string; kind: string }>;
  for (const v of versions) {
    const plaintext = Buffer.from(`legacy ${v.version_id}`);
    const sealed = envelope.seal(plaintext, `${arn}\n${v.version_id}`);
    db.prepare(
      "UPDATE secret_versions SET kek_id = ?, wrapped_key = ?, ciphertext = ? WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?) AND version_id = ?",
    ).run(sealed.kekId, sealed.wrappedKey, sealed.ciphertext, arn, v.version_id);
  }
  db.prepare("UPDATE secrets SET seal_kek_id = NULL, seal_mac = NULL WHERE arn = ?").run(arn);
  db.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES (?, 'pending')").run(
    RESEAL_PENDING_SETTING,
  );
  return versions.map((v) => v.version_id);
}

test("rows from before the binding are re-sealed once at start and read as before", async () => {
  const { db, envelope, store, reader, writer } = domain();
  const a = await writer.create(scope, { name: "old/a", value: text("x") });
  await writer.putValue(scope, { secretId: "old/a", value: text("y") });
  const b = await writer.create(scope, { name: "old/b" });
  const ids = makeLegacy(db, envelope, a.arn);
  makeLegacy(db, envelope, b.arn);
  // Unsealed rows are never served.
  await assert.rejects(read(reader, "old/a"), { name: "DecryptionFailure" });

  assert.deepEqual(await resealLegacySecrets({ store, settings: store, envelope }), {
    resealed: 2,
    refused: 0,
  });
  assert.equal(await store.getSetting(RESEAL_PENDING_SETTING), undefined);
  const current = (await reader.getValue(scope, { secretId: "old/a" })).versionId;
  assert.equal(await read(reader, "old/a"), `legacy ${current}`);
  for (const versionId of ids)
    assert.equal(await read(reader, "old/a", { versionId }), `legacy ${versionId}`);
  await writer.putValue(scope, { secretId: "old/b", value: text("new") });
  assert.equal(await read(reader, "old/b"), "new");
  // The legacy AAD is gone for good: the kind is bound from now on.
  db.prepare(
    "UPDATE secret_versions SET kind = 'binary' WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?)",
  ).run(a.arn);
  await assert.rejects(read(reader, "old/a"), { name: "DecryptionFailure" });
});

test("stripping the seal off a current row does not get edited metadata re-sealed", async () => {
  const { db, envelope, store, reader, writer } = domain();
  const a = await writer.create(scope, { name: "alpha", value: text("alpha") });
  const b = await writer.create(scope, { name: "bravo", value: text("bravo") });
  // Swap the names, strip both seals, and ask for a re-seal as a fresh upgrade would.
  db.transaction(() => {
    db.prepare("UPDATE secrets SET name = 'tmp' WHERE arn = ?").run(a.arn);
    db.prepare("UPDATE secrets SET name = 'alpha' WHERE arn = ?").run(b.arn);
    db.prepare("UPDATE secrets SET name = 'bravo' WHERE arn = ?").run(a.arn);
    db.prepare("UPDATE secrets SET seal_kek_id = NULL, seal_mac = NULL").run();
    db.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES (?, 'pending')").run(
      RESEAL_PENDING_SETTING,
    );
  })();
  assert.deepEqual(await resealLegacySecrets({ store, settings: store, envelope }), {
    resealed: 0,
    refused: 2,
  });
  await assert.rejects(read(reader, "alpha"), { name: "DecryptionFailure" });
  await assert.rejects(read(reader, "bravo"), { name: "DecryptionFailure" });

  // A current row whose seal alone was stripped stays refused too: its value opens under the new AAD.
  const c = await writer.create(scope, { name: "charlie", value: text("c") });
  db.prepare("UPDATE secrets SET seal_kek_id = NULL, seal_mac = NULL WHERE arn = ?").run(c.arn);
  db.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES (?, 'pending')").run(
    RESEAL_PENDING_SETTING,
  );
  assert.deepEqual(await resealLegacySecrets({ store, settings: store, envelope }), {
    resealed: 0,
    refused: 3,
  });
  await assert.rejects(read(reader, "charlie"), { name: "DecryptionFailure" });
});

test("master-key rotation re-seals verified secrets under the new key and never launders an edited one", async () => {
  const { root, db, envelope, store, reader, writer } = domain();
  await writer.create(scope, { name: "kept", value: text("kept") });
  const edited = await writer.create(scope, { name: "edited", value: text("edited") });
  const { previousId, newId } = rotateKeyringFile(root);
  db.prepare("UPDATE secrets SET description = 'edited' WHERE arn = ?").run(edited.arn);

  assert.deepEqual(await resealUnderActiveKey({ store, settings: store, envelope }, newId), {
    resealed: 1,
    unverifiable: 1,
  });
  const kekIds = db.prepare("SELECT name, seal_kek_id FROM secrets ORDER BY name").all();
  assert.deepEqual(kekIds, [
    { name: "edited", seal_kek_id: previousId },
    { name: "kept", seal_kek_id: newId },
  ]);
  assert.ok((await store.referencedKekIds()).includes(previousId));
  assert.equal(await read(reader, "kept"), "kept");
  await assert.rejects(read(reader, "edited"), { name: "DecryptionFailure" });
});
