import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type {
  AccessKeyRecord,
  IdentityStore,
  OidcProviderRecord,
  RoleSessionRecord,
} from "../../domain/ports/identity-store.js";
import type { Stores } from "../../domain/ports/stores.js";
import { requirePostgres } from "../../testing/postgres.js";
import { SqliteStore } from "../sqlite/sqlite-store.js";
import { openPostgresStores } from "./open-postgres-stores.js";
import { createTestDatabase, type TestDatabase } from "./test-database.test-helper.js";

// Differential, as postgres-store.test.ts: the same calls into SqliteIdentityStore and
// PostgresIdentityStore, every answer compared.

const { skip } = requirePostgres();
const userArn = (name: string) => `arn:aws:iam::123456789012:user/${name}`;
const roleArn = (name: string) => `arn:aws:iam::123456789012:role/${name}`;
const providerArn = "arn:aws:iam::123456789012:oidc-provider/issuer.example.com";
const trust = { trustPolicy: '{"Statement":[]}', maxSessionDurationSeconds: 3_600, description: "Ω" };

const session = (sessionName: string, role = "bob"): RoleSessionRecord => ({
  roleArn: roleArn(role),
  sessionName,
  issuedAt: 20,
  tags: [{ Key: "k", Value: "v" }],
  transitiveTagKeys: ["k"],
  sourceIdentity: undefined,
  via: { kind: "assume-role", callerArn: userArn("carol"), callerAccessKeyId: "AKIA2" },
});

const provider = (over: Partial<OidcProviderRecord> = {}): OidcProviderRecord => ({
  arn: providerArn,
  issuer: "https://issuer.example.com",
  audiences: ["sts.amazonaws.com"],
  keys: { source: "document", jwks: '{"keys":[]}' },
  tags: [],
  createdAt: 30,
  ...over,
});

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
  // Roles: a name space apart from users'.
  await record(
    store.createPrincipal({
      arn: roleArn("bob"),
      name: "bob",
      kind: "role",
      tags: [],
      createdAt: 7,
      role: trust,
    }),
  );
  await record(
    store.createPrincipal({
      arn: roleArn("bob2"),
      name: "bob",
      kind: "role",
      tags: [],
      createdAt: 7,
      role: trust,
    }),
  );
  await record(
    store.createPrincipal({ arn: userArn("bob"), name: "bob", kind: "user", tags: [], createdAt: 8 }),
  );
  await record(store.getPrincipalByName("bob", "role"));
  await record(store.getPrincipalByName("bob"));
  await record(store.listPrincipals("role"));
  await record(store.listPrincipals());
  await record(store.updateRoleSettings(roleArn("bob"), { ...trust, description: undefined }));
  await record(store.updateRoleSettings(userArn("bob"), trust));
  await record(store.getPrincipal(roleArn("bob")));
  await record(
    store.putPolicy({ principalArn: roleArn("bob"), policyName: "p", document: "{}", updatedAt: 9 }),
  );
  await record(
    store.putAccessKey(
      key("ASIA4", "arn:aws:sts::123456789012:assumed-role/bob/s1", { session: session("s1") }),
    ),
  );
  await record(
    store.putAccessKey(
      key("ASIA5", "arn:aws:sts::123456789012:assumed-role/bob/s2", { session: session("s2") }),
    ),
  );
  await record(store.getAccessKey("ASIA4"));
  await record(store.listAccessKeys());
  await record(store.deletePrincipal(roleArn("bob")));
  await record(store.listAccessKeys());
  await record(store.listPolicies(roleArn("bob")));
  // OIDC providers.
  await record(store.createOidcProvider(provider()));
  await record(store.createOidcProvider(provider({ issuer: "https://other.example.com" })));
  await record(store.createOidcProvider(provider({ arn: `${providerArn}/2` })));
  await record(
    store.updateOidcProvider(provider({ keys: { source: "url", url: undefined }, audiences: [] })),
  );
  await record(store.updateOidcProvider(provider({ arn: `${providerArn}/3` })));
  await record(store.getOidcProvider(providerArn));
  await record(store.listOidcProviders());
  await record(store.deleteOidcProvider(providerArn));
  await record(store.deleteOidcProvider(providerArn));
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
      assert.ok(expected.includes("error: OidcProviderExistsError"));
    } finally {
      await sqlite.close();
    }
  });

  test("an identity write announces a change only when it changed a row", async () => {
    const seq = async () =>
      Number((await database.kit.sql("SELECT seq FROM change_log", [], database.name))[0]?.seq);
    const identity = stores.identity;
    /** How many changes `work` announced. */
    const announced = async (work: () => Promise<unknown>) => {
      const before = await seq();
      await work();
      return (await seq()) - before;
    };
    // Writes that find nothing to change: the minute's expiry sweep most of all, which otherwise
    // made every node drop its key caches every minute.
    for (const noop of [
      () => identity.deleteExpiredAccessKeys(Date.now()),
      () => identity.deleteAccessKey("AKIANOTHING"),
      () => identity.setAccessKeyStatus("AKIANOTHING", "inactive"),
      () => identity.deletePolicy(userArn("nobody"), "p"),
      () => identity.updatePrincipalTags(userArn("nobody"), []),
      () => identity.updateRoleSettings(roleArn("nobody"), trust),
      () => identity.deletePrincipal(userArn("nobody")),
      () => identity.updateOidcProvider(provider({ arn: `${providerArn}/nobody` })),
      () => identity.deleteOidcProvider(`${providerArn}/nobody`),
    ])
      assert.equal(await announced(noop), 0, String(noop));
    // Each write that changes rows: announced once.
    for (const change of [
      () =>
        identity.createPrincipal({
          arn: roleArn("r"),
          name: "r",
          kind: "role",
          tags: [],
          createdAt: 1,
          role: trust,
        }),
      () => identity.updateRoleSettings(roleArn("r"), trust),
      () => identity.updatePrincipalTags(roleArn("r"), [{ Key: "k", Value: "v" }]),
      () => identity.putPolicy({ principalArn: roleArn("r"), policyName: "p", document: "{}", updatedAt: 1 }),
      () =>
        identity.putAccessKey(
          key("ASIAR", "arn:aws:sts::123456789012:assumed-role/r/s", {
            session: session("s", "r"),
            expiresAt: 5,
          }),
        ),
      () => identity.setAccessKeyStatus("ASIAR", "inactive"),
      () => identity.deleteExpiredAccessKeys(10),
      () =>
        identity.putAccessKey(
          key("ASIAR2", "arn:aws:sts::123456789012:assumed-role/r/s", { session: session("s", "r") }),
        ),
      // The role is gone with its session's key: one change.
      () => identity.deletePrincipal(roleArn("r")),
      () =>
        identity.createOidcProvider(
          provider({ arn: `${providerArn}/seq`, issuer: "https://seq.example.com" }),
        ),
      () => identity.updateOidcProvider(provider({ arn: `${providerArn}/seq`, audiences: ["x"] })),
      () => identity.deleteOidcProvider(`${providerArn}/seq`),
    ])
      assert.equal(await announced(change), 1, String(change));
  });
});
