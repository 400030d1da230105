import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { PrincipalExistsError } from "../../domain/ports/identity-store.js";
import { migrate } from "./migrations.js";
import { SqliteStore } from "./sqlite-store.js";

const userArn = (name: string) => `arn:aws:iam::123456789012:user/${name}`;
const roleArn = (name: string) => `arn:aws:iam::123456789012:role/${name}`;

/** A v10 data folder with two users, their policies and keys (one a session key), as v10 wrote them. */
function v10Folder(path: string) {
  const old = new Database(path);
  old.pragma("foreign_keys = ON");
  migrate(old, 10);
  const principal = old.prepare(
    "INSERT INTO principals (arn, name, kind, tags, created_at) VALUES (?, ?, 'user', ?, ?)",
  );
  principal.run(userArn("admin"), "admin", "[]", 1);
  principal.run(userArn("app"), "app", '[{"Key":"team","Value":"ops"}]', 2);
  const policy = old.prepare(
    "INSERT INTO principal_policies (principal_arn, policy_name, document, updated_at) VALUES (?, ?, ?, ?)",
  );
  policy.run(userArn("admin"), "AdministratorAccess", '{"Statement":[]}', 3);
  policy.run(userArn("app"), "read", "{}", 4);
  const key = old.prepare(
    `INSERT INTO access_keys (access_key_id, principal, kind, kek_id, wrapped_key, ciphertext, status, created_at,
       expires_at, session_token_hash) VALUES (?, ?, 'string', 'kek-1', ?, ?, 'active', 5, ?, ?)`,
  );
  key.run("AKIAADMIN", userArn("admin"), Buffer.from("w"), Buffer.from("c"), null, null);
  key.run("ASIAAPP", userArn("app"), Buffer.from("w2"), Buffer.from("c2"), 99, "hash");
  old.close();
}

test("schema v11 upgrades a v10 data folder: users, policies and keys kept; roles, sessions and providers stored", async () => {
  const dir = mkdtempSync(join(tmpdir(), "coffer-v11-"));
  try {
    const path = join(dir, "coffer.db");
    v10Folder(path);
    const store = new SqliteStore(path);
    try {
      const identity = store.identity;
      assert.deepEqual(await identity.listPrincipals(), [
        { arn: userArn("admin"), name: "admin", kind: "user", tags: [], createdAt: 1 },
        {
          arn: userArn("app"),
          name: "app",
          kind: "user",
          tags: [{ Key: "team", Value: "ops" }],
          createdAt: 2,
        },
      ]);
      assert.deepEqual(await identity.getPrincipalByName("admin"), (await identity.listPrincipals())[0]);
      assert.deepEqual(
        (await identity.listPolicies(userArn("admin"))).map((p) => p.policyName),
        ["AdministratorAccess"],
      );
      const keys = await identity.listAccessKeys();
      assert.deepEqual(
        keys.map((k) => [k.accessKeyId, k.expiresAt, k.sessionTokenHash, "session" in k]),
        [
          ["AKIAADMIN", undefined, undefined, false],
          ["ASIAAPP", 99, "hash", false],
        ],
      );

      // Names are unique per kind now: a role may take a user's name, a second user may not.
      const settings = { trustPolicy: "{}", maxSessionDurationSeconds: 3_600, description: undefined };
      await identity.createPrincipal({
        arn: roleArn("app"),
        name: "app",
        kind: "role",
        tags: [],
        createdAt: 6,
        role: settings,
      });
      await assert.rejects(
        identity.createPrincipal({
          arn: userArn("app-2"),
          name: "app",
          kind: "user",
          tags: [],
          createdAt: 7,
        }),
        PrincipalExistsError,
      );
      assert.deepEqual((await identity.getPrincipalByName("app", "role"))?.role, settings);
      await identity.createOidcProvider({
        arn: "arn:aws:iam::123456789012:oidc-provider/issuer.example.com",
        issuer: "https://issuer.example.com",
        audiences: ["sts.amazonaws.com"],
        keys: { source: "url", url: undefined },
        tags: [],
        createdAt: 8,
      });
      assert.equal((await identity.listOidcProviders()).length, 1);

      // The policies' foreign key follows the rebuilt table: deleting a user still takes them.
      assert.equal(await identity.deletePrincipal(userArn("app")), true);
      assert.deepEqual(await identity.listPolicies(userArn("app")), []);
      assert.deepEqual(
        (await identity.listAccessKeys()).map((k) => k.accessKeyId),
        ["AKIAADMIN"],
      );
    } finally {
      await store.close();
    }

    const check = new Database(path);
    try {
      assert.equal(check.prepare("SELECT max(version) FROM schema_migrations").pluck().get(), 11);
      assert.deepEqual(check.pragma("foreign_key_check"), []);
      assert.deepEqual(check.pragma("integrity_check", { simple: true }), "ok");
      // Every existing row is a user; the kind is checked.
      assert.throws(
        () =>
          check
            .prepare(
              "INSERT INTO principals (arn, name, kind, tags, created_at) VALUES ('x', 'x', 'group', '[]', 0)",
            )
            .run(),
        /CHECK constraint failed/,
      );
    } finally {
      check.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
