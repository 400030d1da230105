// SqliteStore.inOneTransaction, the bulk-loading seam bench/seed-store.mjs uses: the writer's
// commits inside it land together at the end, or not at all.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import { createEnvelope } from "../../crypto/envelope.js";
import { openKeyring } from "../../crypto/keyring.js";
import { randomArnSuffix } from "../../domain/secrets/arn.js";
import { SecretReader } from "../../domain/secrets/secret-reader.js";
import { SecretWriter } from "../../domain/secrets/secret-writer.js";
import { SqliteStore } from "./sqlite-store.js";

const scope = { region: "us-east-1" };
const text = (s: string) => ({ kind: "string" as const, bytes: Buffer.from(s) });

function setup() {
  const root = mkdtempSync(join(tmpdir(), "coffer-bulk-"));
  const path = join(root, "coffer.db");
  const store = new SqliteStore(path);
  const deps = {
    store,
    envelope: createEnvelope(openKeyring({ home: root, fileCheckIntervalMs: 0 })),
    accountId: "123456789012",
    now: Date.now,
    newVersionId: randomUUID,
    newArnSuffix: randomArnSuffix,
  };
  // A second connection sees only what is committed.
  const other = new Database(path, { readonly: true });
  after(async () => {
    other.close();
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });
  const committed = () => (other.prepare("SELECT count(*) AS n FROM secrets").get() as { n: number }).n;
  return { store, committed, writer: new SecretWriter(deps), reader: new SecretReader(deps) };
}

test("the commits made inside inOneTransaction land together when it ends", async () => {
  const { store, writer, reader, committed } = setup();
  let seenInside = -1;
  await store.inOneTransaction(async () => {
    for (let i = 0; i < 5; i++) await writer.create(scope, { name: `bulk/${i}`, value: text(`v${i}`) });
    seenInside = committed();
  });
  assert.equal(seenInside, 0);
  assert.equal(committed(), 5);
  const read = await reader.getValue(scope, { secretId: "bulk/3" });
  assert.equal(read.value.bytes.toString(), "v3");
});

test("a failure inside inOneTransaction leaves nothing behind, and the store stays usable", async () => {
  const { store, writer, committed } = setup();
  await assert.rejects(
    store.inOneTransaction(async () => {
      await writer.create(scope, { name: "bulk/a", value: text("a") });
      await writer.create(scope, { name: "bulk/a", value: text("other") }); // exists: refused
    }),
    /already exists/,
  );
  assert.equal(committed(), 0);
  await writer.create(scope, { name: "bulk/b", value: text("b") });
  assert.equal(committed(), 1);
});
