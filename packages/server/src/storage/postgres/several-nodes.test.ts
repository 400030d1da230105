import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { PrincipalExistsError } from "../../domain/ports/identity-store.js";
import { type SecretChange, StoreConflictError } from "../../domain/ports/secret-store.js";
import type { Stores } from "../../domain/ports/stores.js";
import type { SecretRecord } from "../../domain/secrets/records.js";
import { requirePostgres } from "../../testing/postgres.js";
import { latestSchemaVersion } from "./migrations.js";
import { openPostgresStores } from "./open-postgres-stores.js";
import { createTestDatabase, eventually, type TestDatabase } from "./test-database.test-helper.js";

// Several stateless nodes (here: several Stores, each with its own pool) on one database.

const { skip } = requirePostgres();
const region = "us-east-1";

function secret(name: string, revision = 1): SecretRecord {
  return {
    arn: `arn:aws:secretsmanager:${region}:123456789012:secret:${name}-${Math.random().toString(36).slice(2, 8)}`,
    region,
    name,
    description: undefined,
    kmsKeyId: undefined,
    tags: [{ Key: "k", Value: name }],
    createdAt: 1,
    lastChangedAt: 1,
    lastAccessedAt: undefined,
    deletedAt: undefined,
    deletionDate: undefined,
    resourcePolicy: undefined,
    revision,
    seal: undefined,
  };
}

const change = (s: SecretRecord, kind: "create" | "update", expectedRevision: number): SecretChange => ({
  secret: s,
  kind,
  expectedRevision,
  addVersions: [],
  restage: [],
  removeVersions: [],
});

async function settle<T>(work: Array<Promise<T>>) {
  const results = await Promise.allSettled(work);
  return {
    won: results.filter((r) => r.status === "fulfilled").length,
    errors: results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : [])),
  };
}

describe("several nodes on one PostgreSQL database", { skip }, () => {
  let database: TestDatabase;
  let nodes: Stores[] = [];
  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    await database?.drop();
  });

  test("three nodes starting at once on a fresh database all open it; the schema is applied once", async () => {
    nodes = await Promise.all([1, 2, 3].map(() => openPostgresStores({ url: database.url })));
    const rows = await database.kit.sql(
      "SELECT version FROM coffer_schema_migrations ORDER BY version",
      [],
      database.name,
    );
    assert.deepEqual(
      rows.map((r) => r.version),
      Array.from({ length: latestSchemaVersion }, (_, i) => i + 1),
    );
    for (const node of nodes) await node.ping();
  });

  test("a database with a newer schema is refused, with the reason", async () => {
    await database.kit.sql(
      "INSERT INTO coffer_schema_migrations (version, applied_at) VALUES (999, 0)",
      [],
      database.name,
    );
    try {
      await assert.rejects(openPostgresStores({ url: database.url }), /newer than this Coffer understands/);
      await assert.rejects(nodes[0]?.ping() ?? Promise.reject(), /newer than this Coffer understands/);
    } finally {
      await database.kit.sql("DELETE FROM coffer_schema_migrations WHERE version = 999", [], database.name);
    }
  });

  test("two nodes creating one name at once: exactly one wins, the other is told the name is taken", async () => {
    for (let round = 0; round < 5; round++) {
      const name = `race-${round}`;
      const { won, errors } = await settle(
        nodes.map((node) => node.secrets.commit(change(secret(name), "create", 0))),
      );
      assert.equal(won, 1);
      for (const error of errors) {
        assert.ok(error instanceof StoreConflictError, String(error));
        assert.equal(error.reason, "name-taken");
      }
    }
  });

  test("concurrent commits with the same expected revision: exactly one wins", async () => {
    const [a] = nodes;
    assert.ok(a);
    const base = secret("contended");
    await a.secrets.commit(change(base, "create", 0));
    for (let revision = 1; revision <= 5; revision++) {
      const { won, errors } = await settle(
        nodes.map((node, i) =>
          node.secrets.commit(
            change({ ...base, revision: revision + 1, description: `node ${i}` }, "update", revision),
          ),
        ),
      );
      assert.equal(won, 1);
      for (const error of errors) assert.equal((error as StoreConflictError).reason, "revision-changed");
    }
    assert.equal((await a.secrets.findRecordByArn(base.arn))?.revision, 6);
  });

  test("commitMany is one transaction: a conflict in its last change leaves nothing of the others, and no notice", async () => {
    const [a, b] = nodes;
    assert.ok(a && b);
    const heard: string[] = [];
    const stop = b.watchOutsideChanges({
      invalidate: (i) => void heard.push(i.kind === "secret" ? (i.name ?? "") : "all"),
    });
    try {
      const taken = secret("taken");
      await a.secrets.commit(change(taken, "create", 0));
      const victim = secret("victim");
      await a.secrets.commit(change(victim, "create", 0));
      const fresh = secret("fresh");
      await assert.rejects(
        a.secrets.commitMany(
          [change(fresh, "create", 0), change(secret("taken"), "create", 0)],
          [victim.arn],
        ),
        { name: "StoreConflictError", reason: "name-taken" },
      );
      assert.equal(await b.secrets.findRecordByArn(fresh.arn), undefined);
      assert.equal((await b.secrets.findRecordByArn(taken.arn))?.name, "taken");
      assert.equal((await b.secrets.findRecordByArn(victim.arn))?.name, "victim");
      // A later commit's notice arrives (once B's feed listens: until then, commits go unheard);
      // none came for the rolled-back one.
      let i = 0;
      await eventually(
        async () => {
          await a.secrets.commit(change(secret(`later-${i++}`), "create", 0));
          await new Promise((resolve) => setImmediate(resolve));
          return heard.some((name) => name.startsWith("later-"));
        },
        5_000,
        "the notice of a later commit",
      );
      assert.ok(!heard.includes("fresh"));
    } finally {
      stop();
    }
  });

  test("many concurrent claims of one lease: exactly one holder", async () => {
    const claims = Array.from({ length: 24 }, (_, i) => nodes[i % nodes.length]);
    const results = await Promise.all(
      claims.map((node, i) => node?.leases.claim("purge-sweep", `holder-${i}`, 1_000, 60_000)),
    );
    assert.equal(results.filter(Boolean).length, 1);
    const winner = `holder-${results.indexOf(true)}`;
    const [a, b] = nodes;
    assert.ok(a && b);
    assert.equal(await a.leases.holder("purge-sweep", 1_001), winner);
    // The holder renews; another gets it only once it expired, or after release.
    assert.equal(await b.leases.claim("purge-sweep", winner, 2_000, 60_000), true);
    assert.equal(await b.leases.claim("purge-sweep", "late", 61_999, 60_000), false);
    assert.equal(await b.leases.claim("purge-sweep", "late", 62_000, 1_000), true);
    await a.leases.release("purge-sweep", "not-the-holder");
    assert.equal(await a.leases.holder("purge-sweep", 62_001), "late");
    await a.leases.release("purge-sweep", "late");
    assert.equal(await a.leases.holder("purge-sweep", 62_001), undefined);
  });

  test("many concurrent rotation claims of one secret: exactly one holder", async () => {
    const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rot-AbCdEf";
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        nodes[i % nodes.length]?.rotation.claim(arn, `node-${i}`, 5_000, 30_000),
      ),
    );
    assert.equal(results.filter(Boolean).length, 1);
    const [a] = nodes;
    assert.ok(a);
    assert.equal(await a.rotation.claim(arn, "other", 34_999, 30_000), false);
    assert.equal(await a.rotation.claim(arn, "other", 35_000, 30_000), true);
    await a.rotation.release(arn, "other");
    assert.equal(await a.rotation.claim(arn, "third", 35_001, 30_000), true);
  });

  test("initSetting from several nodes at once stores one value, and every node is told it", async () => {
    const values = await Promise.all(
      nodes.map((node, i) => node.settings.initSetting("account-id", `acct-${i}`)),
    );
    assert.equal(new Set(values).size, 1);
    assert.equal(await nodes[0]?.settings.getSetting("account-id"), values[0]);
  });

  test("two nodes creating one principal name at once: one wins, the other gets PrincipalExistsError", async () => {
    const { won, errors } = await settle(
      nodes.map((node, i) =>
        node.identity.createPrincipal({
          arn: `arn:aws:iam::123456789012:user/p-${i}`,
          name: "same-name",
          kind: "user",
          tags: [],
          createdAt: 1,
        }),
      ),
    );
    assert.equal(won, 1);
    for (const error of errors) assert.ok(error instanceof PrincipalExistsError, String(error));
  });
});
