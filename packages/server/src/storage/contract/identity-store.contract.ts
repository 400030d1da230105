/**
 * What every engine's IdentityStore promises (domain/ports/identity-store.ts): principals with
 * unique names, their identity policies, and access keys, through the port only. SQLite is the
 * reference; `PrincipalExistsError` is the one error the domain maps (to EntityAlreadyExists).
 *
 * Test support only: imports node:test, and is not part of the server's API.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type AccessKeyRecord,
  type IdentityStore,
  PrincipalExistsError,
  type PrincipalRecord,
} from "../../domain/ports/identity-store.js";
import { type OpenHarness, withHarness } from "./engines.contract.js";
import { account, race } from "./records.contract.js";

const userArn = (name: string) => `arn:aws:iam::${account}:user/${name}`;

const principal = (name: string, over: Partial<PrincipalRecord> = {}): PrincipalRecord => ({
  arn: userArn(name),
  name,
  kind: "user",
  tags: [],
  createdAt: 1_000,
  ...over,
});

function key(id: string, owner: string, over: Partial<AccessKeyRecord> = {}): AccessKeyRecord {
  return {
    accessKeyId: id,
    principal: userArn(owner),
    sealedSecret: {
      kind: "string",
      kekId: "kek-1",
      wrappedKey: Buffer.from(`wk-${id}`),
      ciphertext: Buffer.from([0, 0xff, id.length]),
    },
    status: "active",
    createdAt: 10,
    expiresAt: undefined,
    lastUsedAt: undefined,
    lastUsedIp: undefined,
    sessionTokenHash: undefined,
    ...over,
  };
}

const exists = (error: unknown) => {
  assert.ok(error instanceof PrincipalExistsError, `expected a PrincipalExistsError, got ${String(error)}`);
  return true;
};

async function createAll(identity: IdentityStore, names: string[]) {
  for (const name of names) await identity.createPrincipal(principal(name));
}

export function describeIdentityStoreContract(engine: string, open: OpenHarness): void {
  describe(`IdentityStore contract: ${engine}`, () => {
    it("an empty store has no principal, policy or key", () =>
      withHarness(open, async ({ stores }) => {
        const identity = stores.identity;
        assert.deepEqual(await identity.listPrincipals(), []);
        assert.equal(await identity.getPrincipal(userArn("a")), undefined);
        assert.equal(await identity.getPrincipalByName("a"), undefined);
        assert.deepEqual(await identity.listPolicies(userArn("a")), []);
        assert.deepEqual(await identity.listAccessKeys(), []);
        assert.deepEqual(await identity.listAccessKeys(userArn("a")), []);
        assert.equal(await identity.countAccessKeys(), 0);
        assert.equal(await identity.getAccessKey("AKIA"), undefined);
        assert.equal(await identity.deletePrincipal(userArn("a")), false);
        assert.equal(await identity.deletePolicy(userArn("a"), "p"), false);
        assert.equal(await identity.deleteAccessKey("AKIA"), false);
        assert.equal(await identity.setAccessKeyStatus("AKIA", "inactive"), false);
        assert.equal(await identity.deleteExpiredAccessKeys(Number.MAX_SAFE_INTEGER), 0);
      }));

    it("keeps principals by ARN and by name, listed in name order, with their tags", () =>
      withHarness(open, async ({ stores }) => {
        const identity = stores.identity;
        const bob = principal("bob", { tags: [{ Key: "team", Value: "ops" }], createdAt: 1_700_000_000_001 });
        await identity.createPrincipal(bob);
        await createAll(identity, ["Alice", "carol", "Zed", "ärger"]);
        assert.deepEqual(await identity.getPrincipal(bob.arn), bob);
        assert.deepEqual(await identity.getPrincipalByName("bob"), bob);
        assert.equal(await identity.getPrincipalByName("Bob"), undefined, "names are case-sensitive");
        // Code point order: upper case before lower case, before anything beyond ASCII.
        assert.deepEqual(
          (await identity.listPrincipals()).map((p) => p.name),
          ["Alice", "Zed", "bob", "carol", "ärger"],
        );
        await identity.updatePrincipalTags(bob.arn, [
          { Key: "team", Value: "dev" },
          { Key: "cost", Value: "Ω" },
        ]);
        await identity.updatePrincipalTags(userArn("nobody"), [{ Key: "k", Value: "v" }]);
        assert.deepEqual((await identity.getPrincipal(bob.arn))?.tags, [
          { Key: "team", Value: "dev" },
          { Key: "cost", Value: "Ω" },
        ]);
        assert.equal(await identity.getPrincipal(userArn("nobody")), undefined);
      }));

    it("refuses a principal whose name or ARN is taken, with PrincipalExistsError", () =>
      withHarness(open, async ({ stores }) => {
        const identity = stores.identity;
        await identity.createPrincipal(principal("bob"));
        await assert.rejects(identity.createPrincipal(principal("bob", { arn: userArn("other") })), exists);
        await assert.rejects(
          identity.createPrincipal({ ...principal("robert"), arn: userArn("bob") }),
          exists,
        );
        assert.deepEqual(
          (await identity.listPrincipals()).map((p) => p.arn),
          [userArn("bob")],
        );
      }));

    it("racing creates of one name, on two connections, have one winner; the others get PrincipalExistsError", () =>
      withHarness(open, async ({ stores, openAnother }) => {
        const another = await openAnother();
        const { won, errors } = await race(
          [stores, another, stores, another].map((node, i) =>
            node.identity.createPrincipal(principal("contested", { arn: userArn(`contested-${i}`) })),
          ),
        );
        assert.equal(won, 1);
        assert.equal(errors.length, 3);
        for (const error of errors) exists(error);
        assert.equal((await another.identity.listPrincipals()).length, 1);
      }));

    it("keeps identity policies per principal, replaced by name, listed in name order", () =>
      withHarness(open, async ({ stores }) => {
        const identity = stores.identity;
        await createAll(identity, ["bob", "carol"]);
        const policy = (principalArn: string, policyName: string, document: string, updatedAt: number) => ({
          principalArn,
          policyName,
          document,
          updatedAt,
        });
        await identity.putPolicy(policy(userArn("bob"), "b", '{"v":1}', 3));
        await identity.putPolicy(policy(userArn("bob"), "a", "{}", 4));
        await identity.putPolicy(policy(userArn("bob"), "B", "{}", 4));
        await identity.putPolicy(policy(userArn("carol"), "a", "{}", 5));
        await identity.putPolicy(policy(userArn("bob"), "b", '{"v":2}', 6));
        assert.deepEqual(await identity.listPolicies(userArn("bob")), [
          policy(userArn("bob"), "B", "{}", 4),
          policy(userArn("bob"), "a", "{}", 4),
          policy(userArn("bob"), "b", '{"v":2}', 6),
        ]);
        assert.equal(await identity.deletePolicy(userArn("bob"), "a"), true);
        assert.equal(await identity.deletePolicy(userArn("bob"), "a"), false);
        assert.deepEqual(
          (await identity.listPolicies(userArn("bob"))).map((p) => p.policyName),
          ["B", "b"],
        );
        assert.deepEqual(await identity.listPolicies(userArn("carol")), [
          policy(userArn("carol"), "a", "{}", 5),
        ]);
        // A policy needs its principal.
        await assert.rejects(identity.putPolicy(policy(userArn("nobody"), "a", "{}", 1)));
        assert.deepEqual(await identity.listPolicies(userArn("nobody")), []);
      }));

    it("keeps access keys: replaced by id, listed, counted, disabled, used, expired and deleted", () =>
      withHarness(open, async ({ stores }) => {
        const identity = stores.identity;
        await createAll(identity, ["bob", "carol"]);
        await identity.putAccessKey(key("AKIA2", "bob", { createdAt: 5 }));
        await identity.putAccessKey(key("AKIA1", "bob", { createdAt: 6, expiresAt: 100 }));
        await identity.putAccessKey(key("AKIA0", "bob", { createdAt: 6 }));
        const session = key("ASIA3", "carol", {
          expiresAt: 50,
          sessionTokenHash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
          sealedSecret: {
            kind: "binary",
            kekId: "kek-2",
            wrappedKey: Buffer.from("w"),
            ciphertext: Buffer.from([1]),
          },
        });
        await identity.putAccessKey(session);
        // A put of an existing id replaces it whole.
        await identity.putAccessKey(key("AKIA2", "bob", { createdAt: 5, status: "inactive" }));
        assert.deepEqual(await identity.getAccessKey("ASIA3"), session);
        assert.deepEqual(
          await identity.getAccessKey("AKIA2"),
          key("AKIA2", "bob", { createdAt: 5, status: "inactive" }),
        );
        assert.deepEqual(
          (await identity.listAccessKeys()).map((k) => k.accessKeyId),
          ["AKIA0", "AKIA1", "AKIA2", "ASIA3"],
        );
        // One principal's keys: oldest first, then by id.
        assert.deepEqual(
          (await identity.listAccessKeys(userArn("bob"))).map((k) => k.accessKeyId),
          ["AKIA2", "AKIA0", "AKIA1"],
        );
        assert.equal(await identity.countAccessKeys(), 4);

        assert.equal(await identity.setAccessKeyStatus("AKIA1", "inactive"), true);
        assert.equal(await identity.setAccessKeyStatus("AKIA1", "active"), true);
        assert.equal(await identity.setAccessKeyStatus("AKIA1", "inactive"), true);
        assert.equal((await identity.getAccessKey("AKIA1"))?.status, "inactive");
        await identity.recordAccessKeyUse("AKIA1", 77, "10.0.0.1");
        await identity.recordAccessKeyUse("AKIA1", 78, "2001:db8::1");
        await identity.recordAccessKeyUse("nope", 79, "10.0.0.2");
        assert.deepEqual(
          await identity.getAccessKey("AKIA1"),
          key("AKIA1", "bob", {
            createdAt: 6,
            expiresAt: 100,
            status: "inactive",
            lastUsedAt: 78,
            lastUsedIp: "2001:db8::1",
          }),
        );
        // Expired at (and before) now; keys without an expiry stay.
        assert.equal(await identity.deleteExpiredAccessKeys(49), 0);
        assert.equal(await identity.deleteExpiredAccessKeys(50), 1);
        assert.equal(await identity.getAccessKey("ASIA3"), undefined);
        assert.equal(await identity.deleteExpiredAccessKeys(1_000), 1);
        assert.deepEqual(
          (await identity.listAccessKeys()).map((k) => k.accessKeyId),
          ["AKIA0", "AKIA2"],
        );
        assert.equal(await identity.deleteAccessKey("AKIA2"), true);
        assert.equal(await identity.deleteAccessKey("AKIA2"), false);
        assert.equal(await identity.countAccessKeys(), 1);
      }));

    it("deleting a principal deletes its policies and keys, and frees its name", () =>
      withHarness(open, async ({ stores, openAnother }) => {
        const identity = stores.identity;
        await createAll(identity, ["bob", "carol"]);
        await identity.putPolicy({
          principalArn: userArn("bob"),
          policyName: "p",
          document: "{}",
          updatedAt: 1,
        });
        await identity.putPolicy({
          principalArn: userArn("carol"),
          policyName: "p",
          document: "{}",
          updatedAt: 1,
        });
        await identity.putAccessKey(key("AKIABOB", "bob"));
        await identity.putAccessKey(key("AKIACAROL", "carol"));
        assert.equal(await identity.deletePrincipal(userArn("bob")), true);
        assert.equal(await identity.deletePrincipal(userArn("bob")), false);
        const seen = (await openAnother()).identity;
        assert.equal(await seen.getPrincipalByName("bob"), undefined);
        assert.deepEqual(await seen.listPolicies(userArn("bob")), []);
        assert.equal(await seen.getAccessKey("AKIABOB"), undefined);
        assert.deepEqual(
          (await seen.listAccessKeys()).map((k) => k.accessKeyId),
          ["AKIACAROL"],
        );
        assert.equal((await seen.listPolicies(userArn("carol"))).length, 1);
        // The name is free again, and the new principal starts with nothing.
        await seen.createPrincipal(principal("bob", { createdAt: 2 }));
        assert.deepEqual(await identity.getPrincipalByName("bob"), principal("bob", { createdAt: 2 }));
        assert.deepEqual(await identity.listPolicies(userArn("bob")), []);
      }));

    it("access keys' master key ids count among the key ids still referenced", () =>
      withHarness(open, async ({ stores }) => {
        await createAll(stores.identity, ["bob"]);
        await stores.identity.putAccessKey(
          key("AKIA1", "bob", {
            sealedSecret: {
              kind: "string",
              kekId: "kek-keys",
              wrappedKey: Buffer.from("w"),
              ciphertext: Buffer.from("c"),
            },
          }),
        );
        assert.deepEqual(await stores.secrets.referencedKekIds(), ["kek-keys"]);
      }));
  });
}
