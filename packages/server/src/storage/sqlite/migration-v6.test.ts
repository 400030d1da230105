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

const scope = { region: "us-east-1" };
const text = (s: string) => ({ kind: "string" as const, bytes: Buffer.from(s) });

function domainOn(store: SqliteStore, masterKeyBase64: string, now = 1_000) {
  const deps = {
    store,
    envelope: createEnvelope(openKeyring({ home: "/nonexistent", masterKeyBase64 })),
    accountId: "123456789012",
    now: () => now,
    newVersionId: randomUUID,
    newArnSuffix: randomArnSuffix,
  };
  return { reader: new SecretReader(deps), writer: new SecretWriter(deps) };
}

/**
 * A v5 data folder holding what the domain writes (sealed rows, two versions, labels): written by
 * today's store in memory, then copied row by row into the v5 tables, which have no `type` column.
 */
async function v5Folder(path: string, masterKeyBase64: string) {
  const source = new SqliteStore(":memory:");
  const { writer } = domainOn(source, masterKeyBase64);
  await writer.create(scope, { name: "prod/db", value: text("one"), tags: [{ Key: "env", Value: "prod" }] });
  await writer.putValue(scope, { secretId: "prod/db", value: text("two") });
  await writer.create(scope, { name: "dev/db", value: text("three") });
  const raw = (source as unknown as { db: Database.Database }).db;
  const rows = (table: string) =>
    raw.prepare(`SELECT * FROM ${table}`).all() as Array<Record<string, unknown>>;
  const secrets = rows("secrets");
  const versions = rows("secret_versions");
  const stages = rows("version_stages");
  const terms = rows("secret_terms");
  await source.close();

  const old = new Database(path);
  old.pragma("foreign_keys = ON");
  migrate(old, 5);
  // Only the columns the old table has: later schema versions add columns today's store fills.
  const insert = (table: string, row: Record<string, unknown>) => {
    const known = new Set(old.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all());
    const columns = Object.keys(row).filter((column) => known.has(column));
    old
      .prepare(
        `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map((c) => `@${c}`).join(", ")})`,
      )
      .run(Object.fromEntries(columns.map((column) => [column, row[column]])));
  };
  for (const row of secrets) insert("secrets", row);
  for (const row of versions) insert("secret_versions", row);
  for (const row of stages) insert("version_stages", row);
  for (const row of terms) insert("secret_terms", row);
  assert.ok(!old.prepare("SELECT name FROM pragma_table_info('secrets')").pluck().all().includes("type"));
  old.close();
}

test("schema v6 upgrades a v5 data folder: rows sealed without a type still verify, and a Type is stored and sealed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "coffer-v6-"));
  try {
    const path = join(dir, "coffer.db");
    const masterKeyBase64 = randomBytes(32).toString("base64");
    await v5Folder(path, masterKeyBase64);

    const store = new SqliteStore(path);
    const { reader, writer } = domainOn(store, masterKeyBase64, 2_000);
    const value = async (secretId: string, extra: object = {}) =>
      (await reader.getValue(scope, { secretId, ...extra })).value.bytes.toString();
    // Every value read checks the row's seal (ADR 0006): sealed at v5, with no type, still good.
    assert.equal(await value("prod/db"), "two");
    assert.equal(await value("prod/db", { versionStage: "AWSPREVIOUS" }), "one");
    assert.equal(await value("dev/db"), "three");
    assert.equal((await reader.describe(scope, "dev/db")).secret.type, undefined);

    await writer.update(scope, { secretId: "dev/db", type: "database-credentials" });
    assert.equal((await reader.describe(scope, "dev/db")).secret.type, "database-credentials");
    assert.equal(await value("dev/db"), "three");
    // A later update that names no Type keeps the stored one.
    await writer.update(scope, { secretId: "dev/db", description: "the dev database" });
    assert.equal((await reader.describe(scope, "dev/db")).secret.type, "database-credentials");
    await store.close();

    // The seal covers the new column: a Type changed without the master key fails the next read closed.
    const edit = new Database(path);
    assert.equal(edit.prepare("SELECT count(*) FROM schema_migrations WHERE version = 6").pluck().get(), 1);
    assert.equal(
      edit.prepare("SELECT type FROM secrets WHERE name = 'dev/db'").pluck().get(),
      "database-credentials",
    );
    edit.prepare("UPDATE secrets SET type = 'something-else' WHERE name = 'dev/db'").run();
    edit.close();
    const reopened = new SqliteStore(path);
    const again = domainOn(reopened, masterKeyBase64, 3_000);
    await assert.rejects(again.reader.getValue(scope, { secretId: "dev/db" }), { name: "DecryptionFailure" });
    assert.equal((await again.reader.getValue(scope, { secretId: "prod/db" })).value.bytes.toString(), "two");
    await reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
