import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { randomPasswordRotatorArn } from "../../domain/rotation/builtin-rotators.js";
import { migrate } from "./migrations.js";
import { rotationDomain, scope, sqliteRotationStores, text } from "./rotation-fixture.test-helper.js";
import { SqliteStore } from "./sqlite-store.js";

/** A v6 data folder holding sealed rows the domain wrote: copied row by row from today's store. */
async function v5Folder(path: string, masterKey: string) {
  const store = new SqliteStore(":memory:");
  const source = rotationDomain({ stores: sqliteRotationStores(store), masterKey });
  await source.writer.create(scope, { name: "prod/db", value: text('{"password":"one"}') });
  await source.writer.putValue(scope, { secretId: "prod/db", value: text('{"password":"two"}') });
  await source.writer.create(scope, { name: "dev/db", value: text("three") });
  const raw = (store as unknown as { db: Database.Database }).db;
  const rows = (table: string) =>
    raw.prepare(`SELECT * FROM ${table}`).all() as Array<Record<string, unknown>>;
  const old = new Database(path);
  old.pragma("foreign_keys = ON");
  migrate(old, 6);
  const insert = (table: string, row: Record<string, unknown>) => {
    const columns = Object.keys(row);
    old
      .prepare(
        `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map((c) => `@${c}`).join(", ")})`,
      )
      .run(row);
  };
  // Columns of later versions (v9: replication) are not in a v6 folder.
  for (const { rotation, next_rotation_at, replication, primary_region, ...row } of rows("secrets")) {
    assert.equal(rotation, null);
    insert("secrets", row);
  }
  for (const row of rows("secret_versions")) insert("secret_versions", row);
  for (const row of rows("version_stages")) insert("version_stages", row);
  for (const row of rows("secret_terms")) insert("secret_terms", row);
  old.close();
  await store.close();
}

test("schema v7 upgrades a v6 data folder: old seals still verify, rotation state is stored and sealed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "coffer-v7-"));
  try {
    const path = join(dir, "coffer.db");
    const masterKey = randomBytes(32).toString("base64");
    await v5Folder(path, masterKey);

    const store = new SqliteStore(path);
    const d = rotationDomain({ stores: sqliteRotationStores(store), masterKey });
    // Rows sealed before v7 carry no rotation and still verify on every value read.
    assert.equal(await d.value("prod/db"), '{"password":"two"}');
    assert.equal(await d.value("dev/db"), "three");
    assert.equal((await d.reader.describe(scope, "prod/db")).secret.rotation, undefined);

    await d.service.rotate(scope, {
      secretId: "prod/db",
      rotationLambdaArn: randomPasswordRotatorArn,
      rotationRules: { scheduleExpression: "rate(10 days)", duration: "3h" },
    });
    await d.service.settled();
    assert.notEqual(JSON.parse(await d.value("prod/db")).password, "two");
    assert.equal(JSON.parse(await d.value("prod/db", { versionStage: "AWSPREVIOUS" })).password, "two");
    const { secret } = await d.reader.describe(scope, "prod/db");
    assert.deepEqual(secret.rotation?.rules, { scheduleExpression: "rate(10 days)", duration: "3h" });
    await store.close();

    const check = new Database(path);
    assert.equal(check.prepare("SELECT count(*) FROM schema_migrations WHERE version = 7").pluck().get(), 1);
    const nextAt = check.prepare("SELECT next_rotation_at FROM secrets WHERE name = 'prod/db'").pluck().get();
    assert.equal(nextAt, secret.rotation?.nextRotationAt);
    // The rotation column is under the seal: an edit without the master key makes reads fail closed.
    check
      .prepare(
        "UPDATE secrets SET rotation = json_set(rotation, '$.lambdaArn', 'arn:aws:lambda:x') WHERE name = 'prod/db'",
      )
      .run();
    check.close();
    const reopened = new SqliteStore(path);
    const e = rotationDomain({ stores: sqliteRotationStores(reopened), masterKey });
    await assert.rejects(e.value("prod/db"), { name: "DecryptionFailure" });
    assert.equal(await e.value("dev/db"), "three");
    await reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
