import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { SecretReader } from "../../domain/secrets/secret-reader.js";
import { migrate } from "./migrations.js";
import { searchTermsOf } from "./search-terms.js";
import { type ListPlan, SqliteStore } from "./sqlite-store.js";

const region = "us-east-1";

test("schema v8 rebuilds secret_terms as words: a v5 folder's whole-text rows become word rows", async () => {
  const dir = mkdtempSync(join(tmpdir(), "coffer-v8-"));
  try {
    const path = join(dir, "coffer.db");
    const old = new Database(path);
    old.pragma("foreign_keys = ON");
    migrate(old, 5);
    const secrets = [
      { name: "Prod/DB", description: "Main Database", tags: [{ Key: "Team", Value: "DataPlatform" }] },
      { name: "dev/api-key", description: null, tags: [] },
    ];
    for (const [i, s] of secrets.entries()) {
      old
        .prepare(
          `INSERT INTO secrets (id, arn, region, name, description, tags, created_at, last_changed_at, revision)
           VALUES (?, ?, ?, ?, ?, ?, ?, 1, 1)`,
        )
        .run(
          i + 1,
          `arn:aws:secretsmanager:${region}:123456789012:secret:${s.name}-abcde${i}`,
          region,
          s.name,
          s.description,
          JSON.stringify(s.tags),
          i,
        );
    }
    // The rows versions 4 to 7 wrote: lowercased whole texts (role 2), exact tag texts (role 1).
    const oldTerms: Array<[string, number, number]> = [
      ["prod/db", 2, 1],
      ["main database", 6, 1],
      ["Team", 9, 1],
      ["team", 10, 1],
      ["DataPlatform", 13, 1],
      ["dataplatform", 14, 1],
      ["dev/api-key", 2, 2],
    ];
    for (const row of oldTerms)
      old.prepare("INSERT INTO secret_terms (term, kind, secret_id) VALUES (?, ?, ?)").run(...row);
    old.close();

    // Candidates only: the page comes from the index, so a word missing from it would be missed.
    const plans = new Set<ListPlan>();
    const store = new SqliteStore(path, {
      listPlan: { smallSet: () => 1_000, window: () => 1, maxCount: 1_000 },
      onListPlan: (plan) => plans.add(plan),
    });
    const reader = new SecretReader({ store, now: () => 10 } as unknown as ConstructorParameters<
      typeof SecretReader
    >[0]);
    const list = async (Key: "description" | "all" | "tag-key", value: string) =>
      (await reader.list({ region }, { filters: [{ Key, Values: [value] }] })).secrets.map((s) => s.name);
    assert.deepEqual(await list("description", "data"), ["Prod/DB"]);
    assert.deepEqual(await list("all", "platform"), ["Prod/DB"]);
    assert.deepEqual(await list("all", "KEY"), ["dev/api-key"]);
    assert.deepEqual(await list("all", "data MAIN"), ["Prod/DB"]);
    assert.deepEqual(await list("all", "db main"), [], "words of two attributes");
    assert.deepEqual(await list("tag-key", "Te"), ["Prod/DB"]);
    assert.deepEqual([...plans], ["candidates"]);
    await store.close();

    const check = new Database(path);
    assert.equal(check.prepare("SELECT count(*) FROM schema_migrations WHERE version = 8").pluck().get(), 1);
    const rows = check
      .prepare("SELECT term, kind, secret_id FROM secret_terms ORDER BY secret_id, kind, term")
      .all() as Array<{ term: string; kind: number; secret_id: number }>;
    const expected = secrets
      .flatMap((s, i) =>
        searchTermsOf({ name: s.name, description: s.description ?? undefined, tags: s.tags }).map((t) => ({
          term: t.term,
          kind: t.kind,
          secret_id: i + 1,
        })),
      )
      .sort(
        (a, b) =>
          a.secret_id - b.secret_id || a.kind - b.kind || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0),
      );
    assert.deepEqual(rows, expected);
    assert.ok(rows.some((r) => r.term === "database" && r.kind === 6));
    assert.ok(!rows.some((r) => r.term === "main database"));
    check.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
