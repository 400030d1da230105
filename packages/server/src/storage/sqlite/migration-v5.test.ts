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

/**
 * A v4 data folder holding what the domain writes (sealed rows, two versions, stage labels):
 * written by today's store in memory, then copied row by row into the v4 tables, ARN and all.
 */
async function v4Folder(path: string, masterKeyBase64: string) {
  const source = new SqliteStore(":memory:");
  const deps = {
    store: source,
    envelope: createEnvelope(openKeyring({ home: "/nonexistent", masterKeyBase64 })),
    accountId: "123456789012",
    now: () => 1_000,
    newVersionId: randomUUID,
    newArnSuffix: randomArnSuffix,
  };
  const writer = new SecretWriter(deps);
  const text = (s: string) => ({ kind: "string" as const, bytes: Buffer.from(s) });
  const a = await writer.create(scope, {
    name: "prod/db",
    value: text("one"),
    tags: [{ Key: "env", Value: "prod" }],
  });
  await writer.putValue(scope, { secretId: "prod/db", value: text("two") });
  const b = await writer.create(scope, { name: "dev/db", value: text("three") });
  const raw = (source as unknown as { db: Database.Database }).db;
  const secrets = raw.prepare("SELECT * FROM secrets ORDER BY id").all() as Array<Record<string, unknown>>;
  const versions = raw
    .prepare("SELECT s.arn, v.* FROM secret_versions v JOIN secrets s ON s.id = v.secret_id")
    .all() as Array<Record<string, unknown>>;
  const terms = raw.prepare("SELECT * FROM secret_terms").all() as Array<Record<string, unknown>>;
  const stages = raw
    .prepare("SELECT s.arn, g.stage, g.version_id FROM version_stages g JOIN secrets s ON s.id = g.secret_id")
    .all() as Array<Record<string, unknown>>;
  await source.close();

  const old = new Database(path);
  old.pragma("foreign_keys = ON");
  migrate(old, 4);
  const insert = (table: string, row: Record<string, unknown>) => {
    // Columns later schema versions added (e.g. v7's rotation) do not exist in a v4 folder.
    const known = new Set(old.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all());
    const columns = Object.keys(row).filter((c) => known.has(c));
    old
      .prepare(
        `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map((c) => `@${c}`).join(", ")})`,
      )
      .run(Object.fromEntries(columns.map((c) => [c, row[c]])));
  };
  for (const row of secrets) insert("secrets", row);
  for (const { secret_id: _, ...row } of versions) insert("secret_versions", row);
  for (const row of stages) insert("version_stages", row);
  for (const row of terms) insert("secret_terms", row);
  old.close();
  return { a, b };
}

test("schema v5 upgrades a v4 data folder: versions and labels by secret id, every value still opens", async () => {
  const dir = mkdtempSync(join(tmpdir(), "coffer-v5-"));
  try {
    const path = join(dir, "coffer.db");
    const masterKeyBase64 = randomBytes(32).toString("base64");
    const { a, b } = await v4Folder(path, masterKeyBase64);

    const store = new SqliteStore(path);
    const deps = {
      store,
      envelope: createEnvelope(openKeyring({ home: "/nonexistent", masterKeyBase64 })),
      accountId: "123456789012",
      now: () => 2_000,
      newVersionId: randomUUID,
      newArnSuffix: randomArnSuffix,
    };
    const reader = new SecretReader(deps);
    // The seals and AADs bind the ARN, which the rows no longer repeat: every read checks them.
    const value = async (secretId: string, extra: object = {}) =>
      (await reader.getValue(scope, { secretId, ...extra })).value.bytes.toString();
    assert.equal(await value("prod/db"), "two");
    assert.equal(await value("prod/db", { versionStage: "AWSPREVIOUS" }), "one");
    assert.equal(await value("dev/db"), "three");
    const versions = (await reader.listVersions(scope, { secretId: "prod/db" })).versions;
    assert.equal(versions.length, 2);
    const listed = await reader.list(scope, { filters: [{ Key: "tag-value", Values: ["prod"] }] });
    assert.deepEqual(
      listed.secrets.map((s) => s.name),
      ["prod/db"],
    );
    // Key rotation pages through every sealed value by the new key.
    const first = await store.listSealedValues(undefined, 2);
    const rest = await store.listSealedValues(first.at(-1)?.key, 10);
    assert.deepEqual([...first, ...rest].map((r) => r.arn).sort(), [a.arn, a.arn, b.arn].sort());
    await new SecretWriter(deps).putValue(scope, {
      secretId: "dev/db",
      value: { kind: "string", bytes: Buffer.from("four") },
    });
    assert.equal(await value("dev/db"), "four");
    await store.purge(a.arn);
    await store.close();

    const check = new Database(path);
    assert.deepEqual(check.pragma("foreign_key_check"), []);
    assert.equal(check.prepare("SELECT count(*) FROM schema_migrations WHERE version = 5").pluck().get(), 1);
    assert.equal(check.prepare("SELECT count(*) FROM secret_versions").pluck().get(), 2);
    assert.equal(check.prepare("SELECT count(*) FROM version_stages").pluck().get(), 2);
    const columns = check.prepare("SELECT name FROM pragma_table_info('secret_versions')").pluck().all();
    assert.ok(!columns.includes("arn") && columns.includes("secret_id"));
    check.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("schema v5 refuses a v4 folder holding a version of no secret, and changes nothing", () => {
  const dir = mkdtempSync(join(tmpdir(), "coffer-v5-"));
  try {
    const path = join(dir, "coffer.db");
    const old = new Database(path);
    migrate(old, 4);
    // A folder edited by hand: no foreign key stops a version of no secret.
    old.pragma("foreign_keys = OFF");
    old
      .prepare(
        `INSERT INTO secret_versions (arn, version_id, stages, created_at, kind, kek_id, wrapped_key, ciphertext)
         VALUES ('arn:aws:secretsmanager:us-east-1:123456789012:secret:gone-abcdef', 'v1', '[]', 1, 'string', 'k1', x'01', x'02')`,
      )
      .run();
    old.close();
    assert.throws(() => new SqliteStore(path), /NOT NULL/);
    const check = new Database(path);
    assert.equal(check.prepare("SELECT max(version) FROM schema_migrations").pluck().get(), 4);
    assert.equal(
      check.prepare("SELECT count(*) FROM secret_versions WHERE arn LIKE '%gone%'").pluck().get(),
      1,
    );
    check.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
