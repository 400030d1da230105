import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { SecretReader } from "../../domain/secrets/secret-reader.js";
import { migrate } from "./migrations.js";
import { SqliteStore } from "./sqlite-store.js";

test("schema v4 upgrades a v3 data folder: rows, versions and stages kept, search terms filled", async () => {
  const dir = mkdtempSync(join(tmpdir(), "coffer-v4-"));
  try {
    const path = join(dir, "coffer.db");
    const old = new Database(path);
    old.pragma("foreign_keys = ON");
    migrate(old, 3);
    const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:Prod/DB-abcdef";
    old
      .prepare(
        `INSERT INTO secrets (arn, region, name, description, tags, created_at, last_changed_at, revision)
         VALUES (?, 'us-east-1', 'Prod/DB', 'Main Database', ?, 1, 2, 1)`,
      )
      .run(arn, JSON.stringify([{ Key: "Team", Value: "Data" }]));
    old
      .prepare(
        `INSERT INTO secret_versions (arn, version_id, stages, created_at, kind, kek_id, wrapped_key, ciphertext)
         VALUES (?, 'v1', '["AWSCURRENT"]', 1, 'string', 'k1', x'01', x'02')`,
      )
      .run(arn);
    old
      .prepare("INSERT INTO version_stages (arn, stage, version_id) VALUES (?, 'AWSCURRENT', 'v1')")
      .run(arn);
    old.close();

    const store = new SqliteStore(path);
    const reader = new SecretReader({ store, now: () => 10 } as unknown as ConstructorParameters<
      typeof SecretReader
    >[0]);
    const list = async (Key: "name" | "description" | "tag-key" | "tag-value" | "all", value: string) =>
      (await reader.list({ region: "us-east-1" }, { filters: [{ Key, Values: [value] }] })).secrets.map(
        (s) => s.name,
      );
    assert.deepEqual(await list("description", "main DATA"), ["Prod/DB"]);
    assert.deepEqual(await list("tag-key", "Te"), ["Prod/DB"]);
    assert.deepEqual(await list("tag-key", "te"), []);
    assert.deepEqual(await list("tag-value", "Da"), ["Prod/DB"]);
    assert.deepEqual(await list("all", "prod db"), ["Prod/DB"]);
    assert.deepEqual(await list("name", "Prod/"), ["Prod/DB"]);
    const snapshot = await store.readSnapshot(arn, { stage: "AWSCURRENT" });
    assert.equal(snapshot?.version?.versionId, "v1");
    assert.deepEqual(snapshot?.stages, [{ stage: "AWSCURRENT", versionId: "v1" }]);
    const sealed = await store.listSealedValues(undefined, 10);
    assert.equal(sealed.length, 1);
    assert.equal((await store.listSealedValues(sealed[0]?.key, 10)).length, 0);
    await store.purge(arn);
    assert.deepEqual(await list("all", "prod"), []);
    await store.close();
    const check = new Database(path);
    assert.equal(check.prepare("SELECT count(*) FROM secret_terms").pluck().get(), 0);
    assert.equal(check.prepare("SELECT count(*) FROM schema_migrations WHERE version = 4").pluck().get(), 1);
    check.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
