import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { PrincipalExistsError } from "../../domain/ports/identity-store.js";
import type { Stores } from "../../domain/ports/stores.js";
import { requirePostgres } from "../../testing/postgres.js";
import { migrate } from "./migrations.js";
import { openPostgresStores } from "./open-postgres-stores.js";
import { createTestDatabase, type TestDatabase } from "./test-database.test-helper.js";

const { skip } = requirePostgres();
const userArn = (name: string) => `arn:aws:iam::123456789012:user/${name}`;
const roleArn = (name: string) => `arn:aws:iam::123456789012:role/${name}`;

describe("PostgreSQL schema v2 (roles, role sessions, OIDC providers)", { skip }, () => {
  let database: TestDatabase;
  let stores: Stores | undefined;
  before(async () => {
    database = await createTestDatabase();
    // A v1 database with two users, their policies and keys, as v1 wrote them.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await migrate(client, 1);
      await client.query(
        `INSERT INTO principals (arn, name, kind, tags, created_at) VALUES
           ($1, 'admin', 'user', '[]', 1), ($2, 'app', 'user', '[{"Key":"team","Value":"ops"}]', 2)`,
        [userArn("admin"), userArn("app")],
      );
      await client.query(
        `INSERT INTO principal_policies (principal_arn, policy_name, document, updated_at) VALUES
           ($1, 'AdministratorAccess', '{}', 3), ($2, 'read', '{}', 4)`,
        [userArn("admin"), userArn("app")],
      );
      await client.query(
        `INSERT INTO access_keys (access_key_id, principal, kind, kek_id, wrapped_key, ciphertext, status,
           created_at, expires_at, session_token_hash) VALUES
           ('AKIAADMIN', $1, 'string', 'kek-1', '\\x77', '\\x63', 'active', 5, NULL, NULL),
           ('ASIAAPP', $2, 'string', 'kek-1', '\\x77', '\\x63', 'active', 5, 99, 'hash')`,
        [userArn("admin"), userArn("app")],
      );
    } finally {
      await client.end();
    }
  });
  after(async () => {
    await stores?.close();
    await database?.drop();
  });

  test("upgrades a v1 database in place: users, policies and keys kept; names unique per kind", async () => {
    stores = await openPostgresStores({ url: database.url });
    const identity = stores.identity;
    assert.deepEqual(await identity.listPrincipals(), [
      { arn: userArn("admin"), name: "admin", kind: "user", tags: [], createdAt: 1 },
      { arn: userArn("app"), name: "app", kind: "user", tags: [{ Key: "team", Value: "ops" }], createdAt: 2 },
    ]);
    assert.equal((await identity.listPolicies(userArn("admin"))).length, 1);
    assert.deepEqual(
      (await identity.listAccessKeys()).map((k) => [k.accessKeyId, k.expiresAt, "session" in k]),
      [
        ["AKIAADMIN", undefined, false],
        ["ASIAAPP", 99, false],
      ],
    );
    const settings = { trustPolicy: "{}", maxSessionDurationSeconds: 3_600, description: "d" };
    await identity.createPrincipal({
      arn: roleArn("app"),
      name: "app",
      kind: "role",
      tags: [],
      createdAt: 6,
      role: settings,
    });
    assert.deepEqual((await identity.getPrincipalByName("app", "role"))?.role, settings);
    // The rebuilt constraint keeps its name, which the engine maps to PrincipalExistsError.
    await assert.rejects(
      identity.createPrincipal({ arn: userArn("app-2"), name: "app", kind: "user", tags: [], createdAt: 7 }),
      PrincipalExistsError,
    );
    await assert.rejects(
      database.kit.sql(
        "INSERT INTO principals (arn, name, kind, tags, created_at) VALUES ('x', 'x', 'group', '[]', 0)",
        [],
        database.name,
      ),
      /principals_kind/,
    );
    const versions = await database.kit.sql(
      "SELECT version FROM coffer_schema_migrations ORDER BY version",
      [],
      database.name,
    );
    assert.deepEqual(
      versions.map((r) => r.version),
      [1, 2],
    );
  });
});
