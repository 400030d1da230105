import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { AccessKeyRecord, IdentityStore } from "../../domain/ports/identity-store.js";
import type { Stores } from "../../domain/ports/stores.js";
import { requirePostgres } from "../../testing/postgres.js";
import { SqliteStore } from "../sqlite/sqlite-store.js";
import { openPostgresStores } from "./open-postgres-stores.js";
import { createTestDatabase, type TestDatabase } from "./test-database.test-helper.js";

// Differential, as postgres-store.test.ts: the same calls into SqliteIdentityStore and
// PostgresIdentityStore, every answer compared.

const { skip } = requirePostgres();
const userArn = (name: string) => `arn:aws:iam::123456789012:user/${name}`;

function key(id: string, principal: string, over: Partial<AccessKeyRecord> = {}): AccessKeyRecord {
  return {
    accessKeyId: id,
    principal,
    sealedSecret: {
      kind: "string",
      kekId: "kek-1",
      wrappedKey: Buffer.from(`wk${id}`),
      ciphertext: Buffer.from([0, 255]),
    },
    status: "active",
    createdAt: 10,
    ...over,
  };
}

/** The calls, with every answer (or error name) recorded in order. */
async function script(store: IdentityStore): Promise<unknown[]> {
  const answers: unknown[] = [];
  const record = async (work: Promise<unknown>) => {
    try {
      answers.push(await work);
    } catch (error) {
      answers.push(`error: ${(error as Error).name}`);
    }
  };
  for (const name of ["bob", "Alice", "carol"])
    await record(store.createPrincipal({ arn: userArn(name), name, kind: "user", tags: [], createdAt: 1 }));
  await record(
    store.createPrincipal({ arn: userArn("bob2"), name: "bob", kind: "user", tags: [], createdAt: 2 }),
  );
  await record(store.updatePrincipalTags(userArn("bob"), [{ Key: "team", Value: "ops" }]));
  await record(store.getPrincipal(userArn("bob")));
  await record(store.getPrincipalByName("Alice"));
  await record(store.getPrincipalByName("nobody"));
  await record(
    store.putPolicy({ principalArn: userArn("bob"), policyName: "b", document: "{}", updatedAt: 3 }),
  );
  await record(
    store.putPolicy({ principalArn: userArn("bob"), policyName: "a", document: "{}", updatedAt: 3 }),
  );
  await record(
    store.putPolicy({ principalArn: userArn("bob"), policyName: "b", document: '{"v":2}', updatedAt: 4 }),
  );
  await record(store.listPolicies(userArn("bob")));
  await record(store.deletePolicy(userArn("bob"), "a"));
  await record(store.deletePolicy(userArn("bob"), "a"));
  await record(store.putAccessKey(key("AKIA2", userArn("bob"), { createdAt: 5 })));
  await record(store.putAccessKey(key("AKIA1", userArn("bob"), { createdAt: 6, expiresAt: 100 })));
  await record(store.putAccessKey(key("ASIA3", userArn("carol"), { expiresAt: 50, sessionTokenHash: "h" })));
  await record(store.putAccessKey(key("AKIA2", userArn("bob"), { createdAt: 5, status: "inactive" })));
  await record(store.listAccessKeys());
  await record(store.listAccessKeys(userArn("bob")));
  await record(store.countAccessKeys());
  await record(store.setAccessKeyStatus("AKIA1", "inactive"));
  await record(store.setAccessKeyStatus("nope", "inactive"));
  await record(store.recordAccessKeyUse("AKIA1", 77, "10.0.0.1"));
  await record(store.getAccessKey("AKIA1"));
  await record(store.deleteExpiredAccessKeys(60));
  await record(store.deleteAccessKey("AKIA2"));
  await record(store.deleteAccessKey("AKIA2"));
  await record(store.listPrincipals());
  await record(store.deletePrincipal(userArn("bob")));
  await record(store.deletePrincipal(userArn("bob")));
  await record(store.listAccessKeys());
  await record(store.listPolicies(userArn("bob")));
  await record(store.listPrincipals());
  return answers;
}

describe("PostgresIdentityStore against SqliteIdentityStore", { skip }, () => {
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

  test("the same calls get the same answers", async () => {
    const sqlite = new SqliteStore(":memory:");
    try {
      const expected = await script(sqlite.identity);
      const actual = await script(stores.identity);
      assert.equal(actual.length, expected.length);
      for (const [i, answer] of expected.entries()) assert.deepEqual(actual[i], answer, `call ${i}`);
      assert.ok(expected.includes("error: PrincipalExistsError"));
    } finally {
      await sqlite.close();
    }
  });
});
