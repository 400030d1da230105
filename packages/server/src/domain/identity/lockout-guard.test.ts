import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, type TestContext, test } from "node:test";
import fc from "fast-check";
import { AccessKeyRegistry } from "../../auth/access-keys.js";
import { createEnvelope } from "../../crypto/envelope.js";
import { openKeyring } from "../../crypto/keyring.js";
import { openTestStores, requireTestStores } from "../../storage/test-stores.test-helper.js";
import { Authorizer } from "../access/authorizer.js";
import { parsePolicy } from "../policy/index.js";
import { IdentityService } from "./identity-service.js";
import { administeringActions, type PolicyDocument } from "./lockout-guard.js";

const { skip } = requireTestStores();
const accountId = "123456789012";
const allowAll = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
});
const policy = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

/** The identity domain over fresh stores, closed when `t` ends (or by `close`, for each run of a property). */
async function identityDomain(t?: TestContext) {
  let now = Date.UTC(2026, 0, 1);
  const keyring = openKeyring({ home: "/nonexistent", masterKeyBase64: randomBytes(32).toString("base64") });
  const opened = await openTestStores();
  t?.after(() => opened.close());
  const store = opened.stores;
  const accessKeys = new AccessKeyRegistry(store.identity, createEnvelope(keyring), () => now);
  const authorizer = new Authorizer({ identity: store.identity, accountId, now: () => now });
  const identity = new IdentityService({
    store: store.identity,
    accessKeys,
    accountId,
    now: () => now,
    validatePolicy: (document) => {
      parsePolicy(document, { kind: "identity" });
    },
    principalChanged: (arn) => authorizer.forget(arn),
    canAdminister,
  });
  async function canAdminister(arn: string, policies?: readonly PolicyDocument[]) {
    for (const action of administeringActions) {
      const { result } =
        policies === undefined
          ? await authorizer.evaluate(arn, action, { arn })
          : await authorizer.evaluateWithPolicies(arn, policies, action, { arn });
      if (result.decision !== "allow") return false;
    }
    return true;
  }
  const admin = await identity.ensureAdmin();
  const adminKey = await identity.createAccessKey("admin");
  return {
    store,
    close: () => opened.close(),
    identity,
    canAdminister,
    admin,
    adminKey,
    advance: (ms: number) => {
      now += ms;
    },
    /** A user with a policy and one key. */
    async user(name: string, document?: string) {
      await identity.createUser(name, []);
      if (document !== undefined) await identity.putUserPolicy(name, "p", document);
      return identity.createAccessKey(name);
    },
  };
}

const refused = (pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof Error);
  assert.equal(error.name, "InvalidRequestException");
  assert.match(error.message, pattern);
  assert.match(error.message, /Set Force to true/);
  if (/^Refusing to \w+ access key/.test(error.message))
    assert.match(error.message, /coffer admin key \w+ --force/);
  return true;
};

describe("the lockout guard", { skip }, () => {
  test("the last key able to administer cannot be disabled or deleted, nor its user deleted, unless forced", async (t) => {
    const { identity, adminKey, store } = await identityDomain(t);
    const id = adminKey.accessKeyId;
    await assert.rejects(
      identity.setAccessKeyStatus(id, "inactive"),
      refused(/no active access key could then administer/),
    );
    await assert.rejects(identity.deleteAccessKey(id), refused(/coffer admin recover/));
    await assert.rejects(identity.deleteUser("admin"), refused(/delete user admin/));
    assert.equal((await store.identity.getAccessKey(id))?.status, "active");
    // Re-enabling is never refused.
    await identity.setAccessKeyStatus(id, "active");
    await identity.setAccessKeyStatus(id, "inactive", { force: true });
    assert.equal((await store.identity.getAccessKey(id))?.status, "inactive");
    await identity.deleteAccessKey(id, { force: true });
    assert.equal(await store.identity.getAccessKey(id), undefined);
  });

  test("the key a request is signed with, or the caller's own user, is refused even when others remain", async (t) => {
    const { identity, adminKey, admin } = await identityDomain(t);
    await identity.createAccessKey("admin");
    const caller = { accessKeyId: adminKey.accessKeyId, principal: admin.arn };
    await assert.rejects(
      identity.setAccessKeyStatus(adminKey.accessKeyId, "inactive", { caller }),
      refused(/signed with that key/),
    );
    await assert.rejects(identity.deleteAccessKey(adminKey.accessKeyId, { caller }), refused(/signed with/));
    await assert.rejects(identity.deleteUser("admin", { caller }), refused(/calling as that user/));
    await identity.deleteAccessKey(adminKey.accessKeyId, { caller, force: true });
  });

  test("with a second administering key, one may go; then the other is the last", async (t) => {
    const domain = await identityDomain(t);
    const { identity, adminKey } = domain;
    const second = await identity.createAccessKey("admin");
    await identity.setAccessKeyStatus(adminKey.accessKeyId, "inactive");
    await assert.rejects(identity.deleteAccessKey(second.accessKeyId), refused(/no active access key/));
  });

  test("who administers comes from the policy evaluator, not from the user name", async (t) => {
    const domain = await identityDomain(t);
    const { identity, adminKey } = domain;
    // Can create keys but not attach policies: not an administrator.
    await domain.user("half", policy([{ Effect: "Allow", Action: "coffer:CreateAccessKey", Resource: "*" }]));
    // Everything, but an explicit deny wins.
    await domain.user(
      "denied",
      policy([
        { Effect: "Allow", Action: "*", Resource: "*" },
        { Effect: "Deny", Action: "coffer:PutUserPolicy", Resource: "*" },
      ]),
    );
    // A tag-conditioned grant it does not meet.
    await domain.user(
      "conditional",
      policy([
        {
          Effect: "Allow",
          Action: "coffer:*",
          Resource: "*",
          Condition: { StringEquals: { "aws:PrincipalTag/role": "ops" } },
        },
      ]),
    );
    await assert.rejects(
      identity.setAccessKeyStatus(adminKey.accessKeyId, "inactive"),
      refused(/no active access key/),
    );
    // Any user name with a policy that grants coffer:* is an administrator.
    const ops = await domain.user("ops", policy([{ Effect: "Allow", Action: "coffer:*", Resource: "*" }]));
    await identity.setAccessKeyStatus(adminKey.accessKeyId, "inactive");
    await assert.rejects(identity.deleteUser("ops"), refused(/delete user ops/));
    await assert.rejects(identity.deleteAccessKey(ops.accessKeyId), refused(/no active access key/));
  });

  test("keys that cannot administer go freely, even when no administering key is left", async (t) => {
    const domain = await identityDomain(t);
    const { identity, adminKey } = domain;
    const reader = await domain.user(
      "reader",
      policy([{ Effect: "Allow", Action: "secretsmanager:*", Resource: "*" }]),
    );
    await identity.setAccessKeyStatus(reader.accessKeyId, "inactive");
    await identity.deleteAccessKey(adminKey.accessKeyId, { force: true });
    const other = await domain.user("other");
    await identity.deleteAccessKey(other.accessKeyId);
    await identity.deleteUser("reader");
  });

  test("policy changes that would leave nobody able to administer are refused unless forced", async (t) => {
    const domain = await identityDomain(t);
    const { identity } = domain;
    await assert.rejects(
      identity.deleteUserPolicy("admin", "AdministratorAccess"),
      refused(/delete policy AdministratorAccess of user admin: no active access key could then/),
    );
    const weaker = policy([{ Effect: "Allow", Action: "secretsmanager:*", Resource: "*" }]);
    await assert.rejects(
      identity.putUserPolicy("admin", "AdministratorAccess", weaker),
      refused(/put policy/),
    );
    const deny = policy([{ Effect: "Deny", Action: "coffer:CreateAccessKey", Resource: "*" }]);
    await assert.rejects(identity.putUserPolicy("admin", "deny-keys", deny), refused(/put policy deny-keys/));
    // Harmless additions pass; with another administrator, the admin's policy may go.
    await identity.putUserPolicy("admin", "extra", weaker);
    await domain.user("ops", allowAll);
    await identity.deleteUserPolicy("admin", "AdministratorAccess");
    await assert.rejects(identity.deleteUserPolicy("ops", "p"), refused(/no active access key/));
    await identity.deleteUserPolicy("ops", "p", { force: true });
  });

  test("expired keys and session credentials do not count as a way back", async (t) => {
    const { identity, adminKey, admin, advance } = await identityDomain(t);
    await identity.createAccessKey("admin", { expiresInSeconds: 60 });
    await identity.createSessionCredentials(admin.arn, 3600);
    advance(61_000);
    await assert.rejects(
      identity.setAccessKeyStatus(adminKey.accessKeyId, "inactive"),
      refused(/no active access key/),
    );
  });

  test("property: no sequence of unforced changes leaves no active key able to administer", async () => {
    type Step =
      | { op: "disable" | "delete" | "enable"; key: number }
      | { op: "deleteUser" | "createKey" | "deletePolicy" | "denyPolicy" | "grantAll"; user: number };
    const users = ["admin", "ops", "reader"];
    const denyAdmin = policy([{ Effect: "Deny", Action: "coffer:PutUserPolicy", Resource: "*" }]);
    const step = fc.oneof(
      fc.record({
        op: fc.constantFrom("disable" as const, "delete" as const, "enable" as const),
        key: fc.nat(7),
      }),
      fc.record({
        op: fc.constantFrom(
          "deleteUser" as const,
          "createKey" as const,
          "deletePolicy" as const,
          "denyPolicy" as const,
          "grantAll" as const,
        ),
        user: fc.nat(2),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 12 }), async (steps: Step[]) => {
        const domain = await identityDomain();
        const { identity, store, canAdminister } = domain;
        try {
          await domain.user("ops", allowAll);
          await domain.user(
            "reader",
            policy([{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" }]),
          );
          for (const s of steps) {
            const keys = await store.identity.listAccessKeys();
            try {
              if ("key" in s) {
                const key = keys[s.key % Math.max(keys.length, 1)];
                if (!key) continue;
                if (s.op === "delete") await identity.deleteAccessKey(key.accessKeyId);
                else
                  await identity.setAccessKeyStatus(
                    key.accessKeyId,
                    s.op === "enable" ? "active" : "inactive",
                  );
              } else {
                const user = users[s.user] as string;
                if (s.op === "deleteUser") await identity.deleteUser(user);
                else if (s.op === "createKey") await identity.createAccessKey(user);
                else if (s.op === "grantAll") await identity.putUserPolicy(user, "all", allowAll);
                else if (s.op === "denyPolicy") await identity.putUserPolicy(user, "deny", denyAdmin);
                else {
                  const names = (await identity.listUserPolicies(user)).map((p) => p.policyName);
                  if (names[0] !== undefined) await identity.deleteUserPolicy(user, names[0]);
                }
              }
            } catch (error) {
              const name = (error as Error).name;
              assert.ok(name === "InvalidRequestException" || name === "ResourceNotFoundException", name);
            }
            let administering = 0;
            for (const key of await store.identity.listAccessKeys()) {
              if (key.status === "active" && (await canAdminister(key.principal))) administering++;
            }
            assert.ok(administering > 0, "an administering key must remain");
          }
        } finally {
          await domain.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe("restoring the administrator (coffer admin recover)", { skip }, () => {
  test("re-creates the admin user and its AdministratorAccess policy, with a key that can administer", async (t) => {
    const { identity, admin, adminKey, store } = await identityDomain(t);
    await identity.deleteUser("admin", { force: true });
    const restored = await identity.restoreAdministrator();
    assert.equal(restored.recreatedUser, true);
    assert.equal(restored.restoredPolicy, true);
    assert.equal(restored.user.arn, admin.arn);
    assert.equal(await store.identity.getAccessKey(adminKey.accessKeyId), undefined);
    assert.equal((await store.identity.getAccessKey(restored.key.accessKeyId))?.status, "active");
    // The new key is now the last administering one: guarded like any other.
    await assert.rejects(identity.deleteAccessKey(restored.key.accessKeyId), refused(/no active access key/));
  });

  test("puts back a weakened AdministratorAccess policy and keeps the user", async (t) => {
    const { identity } = await identityDomain(t);
    await identity.putUserPolicy(
      "admin",
      "AdministratorAccess",
      policy([{ Effect: "Allow", Action: "secretsmanager:*", Resource: "*" }]),
      { force: true },
    );
    const restored = await identity.restoreAdministrator();
    assert.equal(restored.recreatedUser, false);
    assert.equal(restored.restoredPolicy, true);
    const again = await identity.restoreAdministrator();
    assert.equal(again.restoredPolicy, false);
  });
});
