import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { createEnvelope } from "../../crypto/envelope.js";
import { openKeyring } from "../../crypto/keyring.js";
import { randomArnSuffix } from "../../domain/secrets/arn.js";
import { SecretReader } from "../../domain/secrets/secret-reader.js";
import { SecretWriter } from "../../domain/secrets/secret-writer.js";
import { migrate } from "./migrations.js";
import { SqliteStore } from "./sqlite-store.js";

const east = { region: "us-east-1" };
const west = { region: "us-west-2" };
const text = (s: string) => ({ kind: "string" as const, bytes: Buffer.from(s) });

function domainOn(store: SqliteStore, masterKey: string) {
  const keyring = openKeyring({ home: "/nonexistent", masterKeyBase64: masterKey });
  const deps = {
    store,
    envelope: createEnvelope(keyring),
    accountId: "123456789012",
    now: () => Date.UTC(2026, 0, 1),
    newVersionId: randomUUID,
    newArnSuffix: randomArnSuffix,
  };
  const reader = new SecretReader(deps);
  return {
    reader,
    writer: new SecretWriter(deps),
    value: async (scope: { region: string }, id: string) =>
      (await reader.getValue(scope, { secretId: id })).value.bytes.toString(),
  };
}

/** A v8 data folder holding sealed rows the domain wrote: copied row by row from today's store. */
async function v8Folder(path: string, masterKey: string) {
  const source = new SqliteStore(":memory:");
  const d = domainOn(source, masterKey);
  await d.writer.create(east, { name: "prod/db", value: text("one") });
  await d.writer.putValue(east, { secretId: "prod/db", value: text("two") });
  await d.writer.create(west, { name: "dev/db", value: text("three") });
  const raw = (source as unknown as { db: Database.Database }).db;
  const rows = (table: string) =>
    raw.prepare(`SELECT * FROM ${table}`).all() as Array<Record<string, unknown>>;
  const old = new Database(path);
  old.pragma("foreign_keys = ON");
  migrate(old, 8);
  const insert = (table: string, row: Record<string, unknown>) => {
    const columns = Object.keys(row);
    old
      .prepare(
        `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map((c) => `@${c}`).join(", ")})`,
      )
      .run(row);
  };
  for (const { replication, primary_region, ...row } of rows("secrets")) {
    assert.equal(replication, null);
    assert.equal(primary_region, null);
    insert("secrets", row);
  }
  for (const row of rows("secret_versions")) insert("secret_versions", row);
  for (const row of rows("version_stages")) insert("version_stages", row);
  for (const row of rows("secret_terms")) insert("secret_terms", row);
  old.close();
  await source.close();
}

test("schema v9 upgrades a v8 data folder: old seals verify, replication is stored and sealed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "coffer-v9-"));
  try {
    const path = join(dir, "coffer.db");
    const masterKey = randomBytes(32).toString("base64");
    await v8Folder(path, masterKey);
    const store = new SqliteStore(path);
    const d = domainOn(store, masterKey);
    assert.equal(await d.value(east, "prod/db"), "two");
    assert.equal(await d.value(west, "dev/db"), "three");
    await d.writer.replicate(east, { secretId: "prod/db", addReplicaRegions: [{ region: "eu-west-1" }] });
    assert.equal(await d.value({ region: "eu-west-1" }, "prod/db"), "two");
    await store.close();

    const check = new Database(path);
    assert.equal(check.prepare("SELECT count(*) FROM schema_migrations WHERE version = 9").pluck().get(), 1);
    assert.equal(
      check.prepare("SELECT primary_region FROM secrets WHERE region = 'eu-west-1'").pluck().get(),
      "us-east-1",
    );
    // The replication column is under the seal: an edit without the master key fails closed.
    check.prepare("UPDATE secrets SET replication = NULL WHERE region = 'us-east-1'").run();
    check.close();
    const reopened = new SqliteStore(path);
    const e = domainOn(reopened, masterKey);
    await assert.rejects(e.value(east, "prod/db"), { name: "DecryptionFailure" });
    assert.equal(await e.value(west, "dev/db"), "three");
    await reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
