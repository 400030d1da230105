import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import type { SecretChange, SecretListQuery, SecretStore, SortKey } from "../../domain/ports/secret-store.js";
import type { Stores } from "../../domain/ports/stores.js";
import type { SecretRecord } from "../../domain/secrets/records.js";
import { requirePostgres } from "../../testing/postgres.js";
import { arnOf, create, region, secret, version } from "../contract/records.contract.js";
import { SqliteStore } from "../sqlite/sqlite-store.js";
import { openPostgresStores } from "./open-postgres-stores.js";
import { createTestDatabase, eventually, type TestDatabase } from "./test-database.test-helper.js";

// Differential: the same calls into SqliteStore (in memory) and PostgresSecretStore, then every
// read compared. SQLite's semantics are the reference.

const { skip } = requirePostgres();
const update = (s: SecretRecord, change: Partial<SecretChange> = {}): SecretChange => ({
  secret: { ...s, revision: s.revision + 1 },
  kind: "update",
  expectedRevision: s.revision,
  addVersions: [],
  restage: [],
  removeVersions: [],
  ...change,
});

/** The calls, made on one store; returns what the comparisons need. */
async function script(store: SecretStore & { initSetting(k: string, v: string): Promise<string> }) {
  const names = ["alpha", "Alpha/beta", "prod/db-Password", "prod/api", "zeta", "σίγμα", "b1", "b2"];
  for (const [i, name] of names.entries()) {
    const s = secret(name, {
      createdAt: 1_000 + (i % 3),
      lastChangedAt: 2_000 - i,
      description: i % 2 === 0 ? `The credsDatabase#${i} for ${name}` : undefined,
      tags: [
        { Key: i % 2 ? "env" : "Env", Value: i < 4 ? "prod" : "staging" },
        ...(i % 3 === 0 ? [{ Key: "team", Value: `Team${i}` }] : []),
      ],
      rotation:
        i === 2 ? { enabled: true, rules: { automaticallyAfterDays: 30 }, nextRotationAt: 5_000 } : undefined,
      replication: i === 3 ? { role: "replica", primaryRegion: "eu-west-1" } : undefined,
      type: i === 4 ? "password" : undefined,
    });
    await store.commit(create(s, [version(`v1-${i}`, ["AWSCURRENT"], 1_000 + i)]));
  }
  await store.commit(create(secret("alpha", {}, "eu-west-1"), [version("eu-1", ["AWSCURRENT"])]));
  // A second version, with the label moving from the first and a custom label staying on it.
  const alpha = (await store.findByName(region, "alpha"))?.secret;
  assert.ok(alpha);
  await store.commit(
    update(alpha, {
      secret: {
        ...alpha,
        revision: 2,
        description: "now a Different description",
        tags: [{ Key: "owner", Value: "ops" }],
      },
      addVersions: [version("v2-0", ["AWSCURRENT", "custom"], 3_000)],
      restage: [{ versionId: "v1-0", stages: ["AWSPREVIOUS"] }],
    }),
  );
  // A version removed, another restaged.
  const zeta = (await store.findByName(region, "zeta"))?.secret;
  assert.ok(zeta);
  await store.commit(
    update(zeta, {
      addVersions: [version("v2-4", ["AWSPENDING"], 4_000)],
    }),
  );
  await store.commit(
    update(
      { ...zeta, revision: 2 },
      { removeVersions: ["v2-4"], restage: [{ versionId: "v1-4", stages: [] }] },
    ),
  );
  // Planned deletion on two, one due.
  for (const [name, deletionDate] of [
    ["b1", 900],
    ["b2", 99_999],
  ] as const) {
    const s = (await store.findByName(region, name))?.secret;
    assert.ok(s);
    await store.commit(
      update(s, { secret: { ...s, revision: s.revision + 1, deletedAt: 800, deletionDate } }),
    );
  }
  // commitMany: a purge and two changes in one transaction.
  const api = (await store.findByName(region, "prod/api"))?.secret;
  assert.ok(api);
  await store.commitMany(
    [
      update(api, { secret: { ...api, revision: api.revision + 1, kmsKeyId: "alias/x" } }),
      create(secret("many")),
    ],
    [arnOf("b1")],
  );
  // Reads touch days; reseal; key rotation of one value.
  await store.touchAccessed(arnOf("zeta"), "v1-4", 86_400_000);
  await store.touchAccessed(arnOf("alpha"), "v2-0", 86_400_000 * 2);
  const seals = await store.listSeals(undefined, 100);
  const zetaSeal = seals.find((s) => s.arn === arnOf("zeta"))?.seal;
  const zetaNow = (await store.findByName(region, "zeta"))?.secret;
  assert.ok(zetaNow);
  assert.equal(
    await store.reseal({
      arn: arnOf("zeta"),
      expectedRevision: zetaNow.revision,
      expectedSeal: zetaSeal,
      seal: { kekId: "kek-2", mac: Buffer.from("new-mac") },
      values: [{ versionId: "v1-4", value: { ...version("v1-4", []).value, kekId: "kek-2" } }],
    }),
    true,
  );
  assert.equal(
    await store.reseal({
      arn: arnOf("zeta"),
      expectedRevision: zetaNow.revision,
      expectedSeal: zetaSeal,
      seal: { kekId: "kek-3", mac: Buffer.from("stale") },
      values: [],
    }),
    false,
  );
  const sealed = await store.listSealedValues(undefined, 100);
  const first = sealed.find((r) => r.versionId === "v1-1");
  assert.ok(first);
  assert.equal(
    await store.replaceWrappedKey(first, { kekId: "kek-9", wrappedKey: Buffer.from("rewrapped") }),
    true,
  );
  assert.equal(
    await store.replaceWrappedKey(first, { kekId: "kek-8", wrappedKey: Buffer.from("again") }),
    false,
  );
  // Conflicts.
  await assert.rejects(store.commit(create(secret("alpha"))), {
    name: "StoreConflictError",
    reason: "name-taken",
  });
  await assert.rejects(store.commit(update(alpha)), {
    name: "StoreConflictError",
    reason: "revision-changed",
  });
  assert.equal(await store.initSetting("account-id", "111"), "111");
  assert.equal(await store.initSetting("account-id", "222"), "111");
}

/** Everything a store answers about the data set, in comparable form. */
async function observe(store: SecretStore & { getSetting(k: string): Promise<string | undefined> }) {
  const out: Record<string, unknown> = {};
  const names = ["alpha", "Alpha/beta", "prod/db-Password", "prod/api", "zeta", "σίγμα", "b1", "b2", "many"];
  for (const name of names) {
    out[`byName ${name}`] = await store.findByName(region, name);
    out[`byArn ${name}`] = await store.findByArn(arnOf(name));
    out[`record ${name}`] = await store.findRecordByName(region, name);
    out[`recordByArn ${name}`] = await store.findRecordByArn(arnOf(name));
    for (const selector of [
      { stage: "AWSCURRENT" },
      { stage: "AWSPREVIOUS" },
      { versionId: "v1-0" },
      { versionId: "nope" },
    ]) {
      out[`snapshot ${name} ${JSON.stringify(selector)}`] = await store.readSnapshot(arnOf(name), selector);
      out[`version ${name} ${JSON.stringify(selector)}`] = await store.readVersion(arnOf(name), selector);
    }
  }
  out["byName eu alpha"] = await store.findByName("eu-west-1", "alpha");
  out.stageMaps = [...(await store.stageMaps(names.map((n) => arnOf(n)))).entries()];
  const matchSets: SecretListQuery["matches"][] = [
    [],
    [{ field: "name", prefixes: ["prod/"] }],
    [{ field: "name", prefixes: ["a", "A", "σ"] }],
    [{ field: "tag-key", prefixes: ["env"] }],
    [{ field: "tag-key", prefixes: ["E"] }],
    [{ field: "tag-value", prefixes: ["prod", "Team"] }],
    [{ field: "description", prefixes: ["database"] }],
    [
      { field: "any", prefixes: ["prod"] },
      { field: "tag-value", prefixes: ["staging"] },
    ],
    [{ field: "any", prefixes: ["team", "ops"] }],
    [{ field: "any", prefixes: ["σ"] }],
    [{ field: "name", prefixes: [""] }],
  ];
  const sorts: SortKey[] = ["created-date", "last-accessed-date", "last-changed-date", "name"];
  for (const [m, matches] of matchSets.entries())
    for (const sortBy of sorts)
      for (const order of ["asc", "desc"] as const)
        for (const includePlannedDeletion of [false, true]) {
          // Pages of 3 through the keyset cursor.
          const pages: string[][] = [];
          let after: SecretListQuery["after"];
          for (let page = 0; page < 6; page++) {
            const found = await store.listSecrets({
              region,
              matches,
              includePlannedDeletion,
              sortBy,
              order,
              after,
              limit: 3,
            });
            pages.push(found.map((s) => s.arn));
            const last = found.at(-1);
            if (!last || found.length < 3) break;
            const sortValue =
              sortBy === "name"
                ? last.name
                : sortBy === "created-date"
                  ? last.createdAt
                  : sortBy === "last-changed-date"
                    ? last.lastChangedAt
                    : (last.lastAccessedAt ?? 0);
            after = { sortValue, arn: last.arn };
          }
          out[`list ${m} ${sortBy} ${order} ${includePlannedDeletion}`] = pages;
        }
  out.due = await store.listDueForPurge(100_000, 10);
  out.sealed = (await store.listSealedValues(undefined, 100)).map(({ key: _key, ...row }) => row);
  out.seals = await store.listSeals(undefined, 100);
  out.sealsAfter = await store.listSeals(arnOf("b2"), 2);
  out.keks = (await store.referencedKekIds()).sort();
  out.holds = await store.holdsSecretVersions();
  out.setting = await store.getSetting("account-id");
  return out;
}

/** Waits until the store has no read day pending, queued for a retry, or being written. */
async function touchesWritten(store: SecretStore): Promise<void> {
  const internals = store as unknown as {
    pendingTouches: Map<string, unknown>;
    touchFlush: unknown;
    touchRetry: unknown;
    flushing: Promise<void>;
  };
  await eventually(
    async () => {
      await internals.flushing;
      return (
        internals.pendingTouches.size === 0 &&
        internals.touchFlush === undefined &&
        internals.touchRetry === undefined
      );
    },
    5_000,
    "the read days to be written",
  );
}

describe("PostgresSecretStore against SqliteStore", { skip }, () => {
  let database: TestDatabase;
  let stores: Stores;
  before(async () => {
    database = await createTestDatabase();
    stores = await openPostgresStores({ url: database.url });
  });
  after(async () => {
    await stores?.close();
    await database?.drop();
  });

  test("the same calls leave both stores answering every read the same", async () => {
    const sqlite = new SqliteStore(":memory:");
    try {
      await script(sqlite);
      await script(stores.secrets as SecretStore & { initSetting(k: string, v: string): Promise<string> });
      // Both flush read days on the next turn (PostgreSQL retries rows a commit held); close()
      // would too, but the stores stay open.
      await new Promise((resolve) => setImmediate(resolve));
      await touchesWritten(stores.secrets);
      const expected = await observe(sqlite);
      const actual = await observe(stores.settings as unknown as Parameters<typeof observe>[0]);
      for (const key of Object.keys(expected)) assert.deepEqual(actual[key], expected[key], key);
      // Sanity: the comparison saw data, not two empty stores.
      assert.ok((expected["byName alpha"] as { versions: unknown[] }).versions.length === 2);
      assert.ok((expected["list 0 name asc true"] as string[][]).flat().length === 8);
    } finally {
      await sqlite.close();
    }
  });

  test("read days written by touchAccessed are flushed by close", async () => {
    const other = await openPostgresStores({ url: database.url });
    await other.secrets.touchAccessed(arnOf("many"), "none", 86_400_000 * 7);
    await other.close();
    assert.equal((await stores.secrets.findRecordByArn(arnOf("many")))?.lastAccessedAt, 86_400_000 * 7);
  });

  test("a read-day flush skips a row another transaction holds instead of waiting for it", async () => {
    const holder = new pg.Client({ connectionString: database.url });
    holder.on("error", () => {});
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT 1 FROM secrets WHERE arn = $1 FOR UPDATE", [arnOf("zeta")]);
      const day = 86_400_000 * 30;
      await stores.secrets.touchAccessed(arnOf("zeta"), "v1-4", day);
      await stores.secrets.touchAccessed(arnOf("prod/api"), "v1-3", day);
      await new Promise((resolve) => setImmediate(resolve));
      // Resolves while the lock is still held: the flush did not wait.
      await (stores.secrets as unknown as { flushing: Promise<void> }).flushing;
      assert.equal((await stores.secrets.findRecordByArn(arnOf("prod/api")))?.lastAccessedAt, day);
      assert.notEqual((await stores.secrets.findRecordByArn(arnOf("zeta")))?.lastAccessedAt, day);
      await holder.query("ROLLBACK");
      // Tried again once the lock is gone, without another read.
      await touchesWritten(stores.secrets);
      assert.equal((await stores.secrets.findRecordByArn(arnOf("zeta")))?.lastAccessedAt, day);
    } finally {
      await holder.end();
    }
  });
});
