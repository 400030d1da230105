// The last-accessed day of reads: written off the read path, all reads of one turn in one
// transaction, visible to the next request, and not lost by closing the store.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import { createEnvelope } from "../../crypto/envelope.js";
import { openKeyring } from "../../crypto/keyring.js";
import { randomArnSuffix } from "../../domain/secrets/arn.js";
import { SecretReader } from "../../domain/secrets/secret-reader.js";
import { SecretWriter } from "../../domain/secrets/secret-writer.js";
import { SqliteStore } from "./sqlite-store.js";

const scope = { region: "us-east-1" };
const dayMs = 24 * 60 * 60 * 1000;

function setup(now: () => number) {
  const root = mkdtempSync(join(tmpdir(), "coffer-accessed-"));
  const path = join(root, "coffer.db");
  let store = new SqliteStore(path);
  const deps = () => ({
    store,
    envelope: createEnvelope(openKeyring({ home: root, fileCheckIntervalMs: 0 })),
    accountId: "123456789012",
    now,
    newVersionId: randomUUID,
    newArnSuffix: randomArnSuffix,
  });
  after(async () => {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });
  return {
    get store() {
      return store;
    },
    writer: () => new SecretWriter(deps()),
    reader: () => new SecretReader(deps()),
    reopen: async () => {
      await store.close();
      store = new SqliteStore(path);
    },
  };
}

test("reads of one turn record their day in one transaction after the turn", async () => {
  const today = Math.floor(Date.now() / dayMs) * dayMs;
  const env = setup(() => today + 1000);
  const names = ["a", "b", "c"];
  for (const name of names) {
    await env.writer().create(scope, { name, value: { kind: "string", bytes: Buffer.from(name) } });
  }
  const reader = env.reader();
  const commits: number[] = [];
  type Transaction = (...args: unknown[]) => unknown;
  const db = (env.store as unknown as { db: { transaction: (fn: Transaction) => Transaction } }).db;
  const original = db.transaction.bind(db);
  db.transaction = (fn) => {
    const transaction = original(fn);
    return (...args) => {
      commits.push(1);
      return transaction(...args);
    };
  };
  await Promise.all(names.map((name) => reader.getValue(scope, { secretId: name })));
  commits.length = 0;
  await nextTurn();
  db.transaction = original;
  assert.equal(commits.length, 1, "one transaction for the turn's reads");
  for (const name of names) {
    const described = await reader.describe(scope, name);
    assert.equal(described.secret.lastAccessedAt, today, name);
  }
});

test("a day read just before close is written by close", async () => {
  const today = Math.floor(Date.now() / dayMs) * dayMs;
  const env = setup(() => today + 1000);
  await env.writer().create(scope, { name: "late", value: { kind: "string", bytes: Buffer.from("x") } });
  await env.reader().getValue(scope, { secretId: "late" });
  await env.reopen();
  const described = await env.reader().describe(scope, "late");
  assert.equal(described.secret.lastAccessedAt, today);
});
