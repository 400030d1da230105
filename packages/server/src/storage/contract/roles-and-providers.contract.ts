/**
 * What every engine's IdentityStore promises for workload identity (domain/ports/identity-store.ts,
 * docs/adr/0011): roles as principals of their own name space, role sessions' keys with their
 * session records, and OIDC providers, through the port only. SQLite is the reference;
 * `PrincipalExistsError` and `OidcProviderExistsError` are the errors the domain maps.
 *
 * Test support only: imports node:test, and is not part of the server's API.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  OidcProviderExistsError,
  type OidcProviderRecord,
  PrincipalExistsError,
  type PrincipalRecord,
  type RoleSessionRecord,
} from "../../domain/ports/identity-store.js";
import type { Tag } from "../../domain/secrets/records.js";
import { type OpenHarness, withHarness } from "./engines.contract.js";
import {
  jwksDocument,
  provider,
  providerArn,
  role,
  roleArn,
  sessionArn,
  sessionKey,
  trustPolicy,
  user,
  userArn,
  userKey,
  webIdentitySession,
} from "./identity-records.contract.js";
import { race } from "./records.contract.js";

const principalExists = (error: unknown) => {
  assert.ok(error instanceof PrincipalExistsError, `expected a PrincipalExistsError, got ${String(error)}`);
  return true;
};

const providerExists = (error: unknown) => {
  assert.ok(
    error instanceof OidcProviderExistsError,
    `expected an OidcProviderExistsError, got ${String(error)}`,
  );
  return true;
};

// Arbitrary records: plain objects, as the engines build them (fast-check may otherwise give
// null-prototype ones). Free text may hold any well-formed Unicode but NUL (which PostgreSQL's text
// refuses, and no identifier or document the domain accepts holds); names and ARNs are IAM-like.
const record = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }) =>
  fc.record(model, { noNullPrototype: true });
const text = fc.string({ unit: "grapheme", maxLength: 40 }).filter((s) => !s.includes("\u0000"));
const name = fc.stringMatching(/^[\w+=,.@-]{1,64}$/);
const epochMs = fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) });
const tags: fc.Arbitrary<Tag[]> = fc.array(record({ Key: text, Value: text }), { maxLength: 4 });
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });

const roleSession = (roleName: string): fc.Arbitrary<RoleSessionRecord> =>
  record({
    roleArn: fc.constant(roleArn(roleName)),
    sessionName: name,
    issuedAt: epochMs,
    tags,
    transitiveTagKeys: fc.array(text, { maxLength: 3 }),
    sourceIdentity: optional(text),
    via: fc.oneof(
      record({
        kind: fc.constant("web-identity" as const),
        providerArn: name.map(providerArn),
        issuer: text,
        subject: text,
        audience: text,
      }),
      record({
        kind: fc.constant("assume-role" as const),
        callerArn: name.map(userArn),
        callerAccessKeyId: fc.stringMatching(/^A[KS]IA[A-Z2-7]{16}$/),
      }),
    ),
  });

const oidcKeys: fc.Arbitrary<OidcProviderRecord["keys"]> = fc.oneof(
  record({ source: fc.constant("document" as const), jwks: text }),
  record({ source: fc.constant("url" as const), url: optional(text) }),
);

export function describeRolesAndProvidersContract(engine: string, open: OpenHarness): void {
  describe(`IdentityStore contract, roles and OIDC providers: ${engine}`, () => {
    it("an empty store has no role and no OIDC provider", () =>
      withHarness(open, async ({ stores }) => {
        const identity = stores.identity;
        assert.deepEqual(await identity.listPrincipals("role"), []);
        assert.deepEqual(await identity.listPrincipals("user"), []);
        assert.equal(await identity.getPrincipalByName("a", "role"), undefined);
        assert.equal(
          await identity.updateRoleSettings(roleArn("a"), { trustPolicy, maxSessionDurationSeconds: 3_600 }),
          false,
        );
        assert.deepEqual(await identity.listOidcProviders(), []);
        assert.equal(await identity.getOidcProvider(providerArn("a")), undefined);
        assert.equal(await identity.updateOidcProvider(provider("a")), false);
        assert.equal(await identity.deleteOidcProvider(providerArn("a")), false);
        assert.deepEqual(await identity.listOidcProviders(), []);
      }));

    it("keeps roles with their settings, by ARN and by name and kind; a user and a role may share a name", () =>
      withHarness(open, async ({ stores, openAnother }) => {
        const identity = stores.identity;
        const app = role("app", {
          tags: [{ Key: "team", Value: "ops" }],
          role: {
            trustPolicy,
            maxSessionDurationSeconds: 43_200,
            description: "the app's role, Ω",
            // The master key's MAC over its trust (ADR 0011), kept byte for byte.
            seal: { kekId: "k-2026", mac: Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7)) },
          },
        });
        await identity.createPrincipal(app);
        await identity.createPrincipal(user("app"));
        await identity.createPrincipal(role("deployer"));
        await identity.createPrincipal(user("bob"));
        assert.deepEqual(await identity.getPrincipal(roleArn("app")), app);
        assert.deepEqual(await identity.getPrincipalByName("app", "role"), app);
        assert.deepEqual(await identity.getPrincipal(userArn("app")), user("app"));
        // Without a kind, a name means a user's (what callers before roles asked for).
        assert.deepEqual(await identity.getPrincipalByName("app"), user("app"));
        assert.deepEqual(await identity.getPrincipalByName("app", "user"), user("app"));
        assert.equal(await identity.getPrincipalByName("deployer"), undefined);
        assert.equal(await identity.getPrincipalByName("bob", "role"), undefined);
        assert.deepEqual(await identity.getPrincipalByName("deployer", "role"), role("deployer"));

        const seen = (await openAnother()).identity;
        // Every principal by name, a role before a user of the same name; or those of one kind.
        assert.deepEqual(
          (await seen.listPrincipals()).map((p) => `${p.kind}:${p.name}`),
          ["role:app", "user:app", "user:bob", "role:deployer"],
        );
        assert.deepEqual(await seen.listPrincipals("role"), [app, role("deployer")]);
        assert.deepEqual(await seen.listPrincipals("user"), [user("app"), user("bob")]);
      }));

    it("refuses a role whose name (among roles) or ARN is taken, with PrincipalExistsError", () =>
      withHarness(open, async ({ stores }) => {
        const identity = stores.identity;
        await identity.createPrincipal(role("app"));
        await assert.rejects(
          identity.createPrincipal(role("app", { arn: roleArn("app-2") })),
          principalExists,
        );
        await assert.rejects(
          identity.createPrincipal(role("other", { arn: roleArn("app") })),
          principalExists,
        );
        // The user name space is apart: a user "app" is no clash, a second one is.
        await identity.createPrincipal(user("app"));
        await assert.rejects(
          identity.createPrincipal(user("app", { arn: userArn("app-2") })),
          principalExists,
        );
        assert.deepEqual(
          (await identity.listPrincipals()).map((p) => p.arn),
          [roleArn("app"), userArn("app")],
        );
      }));

    it("racing creates of one role name, on two connections, have one winner; the others get PrincipalExistsError", () =>
      withHarness(open, async ({ stores, openAnother }) => {
        const another = await openAnother();
        const { won, errors } = await race(
          [stores, another, stores, another].map((node, i) =>
            node.identity.createPrincipal(role("contested", { arn: roleArn(`contested-${i}`) })),
          ),
        );
        assert.equal(won, 1);
        assert.equal(errors.length, 3);
        for (const error of errors) principalExists(error);
        assert.equal((await another.identity.listPrincipals("role")).length, 1);
      }));

    it("updateRoleSettings replaces a role's settings; false for a user or an unknown ARN", () =>
      withHarness(open, async ({ stores, openAnother }) => {
        const identity = stores.identity;
        await identity.createPrincipal(
          role("app", { role: { trustPolicy, maxSessionDurationSeconds: 3_600, description: "first" } }),
        );
        await identity.createPrincipal(user("app"));
        const settings = {
          trustPolicy: '{"Statement":[]}',
          maxSessionDurationSeconds: 7_200,
          description: undefined,
        };
        assert.equal(await identity.updateRoleSettings(roleArn("app"), settings), true);
        assert.deepEqual((await (await openAnother()).identity.getPrincipal(roleArn("app")))?.role, settings);
        // The tags are apart from the settings: each update keeps the other.
        await identity.updatePrincipalTags(roleArn("app"), [{ Key: "k", Value: "v" }]);
        assert.deepEqual(
          await identity.getPrincipal(roleArn("app")),
          role("app", {
            tags: [{ Key: "k", Value: "v" }],
            role: settings,
          }),
        );
        assert.equal(await identity.updateRoleSettings(userArn("app"), settings), false);
        assert.deepEqual(await identity.getPrincipal(userArn("app")), user("app"));
        assert.equal(await identity.updateRoleSettings(roleArn("nobody"), settings), false);
        assert.equal(await identity.getPrincipal(roleArn("nobody")), undefined);
      }));

    it("a role session's key keeps its session record, read back exactly", () =>
      withHarness(open, async ({ stores, openAnother }) => {
        const identity = stores.identity;
        await identity.createPrincipal(role("app"));
        const web = sessionKey("ASIAWEB", webIdentitySession("app", "ci-run-1"));
        const chained = sessionKey(
          "ASIACHAINED",
          webIdentitySession("app", "chained", {
            tags: [
              { Key: "project", Value: "Ω-ärger" },
              { Key: "env", Value: "" },
            ],
            transitiveTagKeys: ["project"],
            sourceIdentity: "alice@example.com",
            via: { kind: "assume-role", callerArn: userArn("alice"), callerAccessKeyId: "AKIAALICE" },
          }),
          {
            status: "inactive",
            lastUsedAt: 5,
            lastUsedIp: "10.0.0.1",
            sealedSecret: {
              kind: "binary",
              kekId: "kek-2",
              wrappedKey: Buffer.from([1, 0, 0xff]),
              ciphertext: Buffer.from([0]),
            },
          },
        );
        const plain = userKey("AKIAPLAIN", "alice");
        for (const key of [web, chained, plain]) await identity.putAccessKey(key);
        const seen = (await openAnother()).identity;
        assert.deepEqual(await seen.getAccessKey("ASIAWEB"), web);
        assert.deepEqual(await seen.getAccessKey("ASIACHAINED"), chained);
        // A key of no session has no session field at all, as before sessions were stored.
        const plainRead = await seen.getAccessKey("AKIAPLAIN");
        assert.deepEqual(plainRead, plain);
        assert.ok(plainRead !== undefined && !("session" in plainRead));
        assert.deepEqual(await seen.listAccessKeys(), [plain, chained, web]);
        assert.deepEqual(await seen.listAccessKeys(sessionArn("app", "ci-run-1")), [web]);
        // Listed by its own principal (the session's ARN), not the role's.
        assert.deepEqual(await seen.listAccessKeys(roleArn("app")), []);
        // A put replaces the key whole, session included.
        const { session: _dropped, ...withoutSession } = web;
        await identity.putAccessKey(withoutSession);
        assert.deepEqual(await seen.getAccessKey("ASIAWEB"), withoutSession);
      }));

    it("arbitrary session records round-trip exactly", () =>
      withHarness(open, async ({ stores }) => {
        const identity = stores.identity;
        let n = 0;
        await fc.assert(
          fc.asyncProperty(
            roleSession("app"),
            fc.option(epochMs, { nil: undefined }),
            async (session, expiresAt) => {
              const key = sessionKey(`ASIA${n++}`, session, { expiresAt });
              await identity.putAccessKey(key);
              assert.deepEqual(await identity.getAccessKey(key.accessKeyId), key);
            },
          ),
          { numRuns: 40 },
        );
      }));

    it("expired role sessions' keys are swept with the others", () =>
      withHarness(open, async ({ stores }) => {
        const identity = stores.identity;
        await identity.createPrincipal(role("app"));
        await identity.putAccessKey(
          sessionKey("ASIAOLD", webIdentitySession("app", "old"), { expiresAt: 100 }),
        );
        await identity.putAccessKey(
          sessionKey("ASIANEW", webIdentitySession("app", "new"), { expiresAt: 200 }),
        );
        await identity.putAccessKey(userKey("AKIAKEEP", "alice"));
        assert.equal(await identity.deleteExpiredAccessKeys(150), 1);
        assert.deepEqual(
          (await identity.listAccessKeys()).map((k) => k.accessKeyId),
          ["AKIAKEEP", "ASIANEW"],
        );
      }));

    it("deleting a role deletes its policies, its keys and its sessions' keys, and nothing of others", () =>
      withHarness(open, async ({ stores, openAnother }) => {
        const identity = stores.identity;
        await identity.createPrincipal(role("app"));
        await identity.createPrincipal(role("other"));
        await identity.createPrincipal(user("app"));
        for (const arn of [roleArn("app"), roleArn("other"), userArn("app")])
          await identity.putPolicy({ principalArn: arn, policyName: "p", document: "{}", updatedAt: 1 });
        await identity.putAccessKey(sessionKey("ASIAAPP1", webIdentitySession("app", "s1")));
        await identity.putAccessKey(sessionKey("ASIAAPP2", webIdentitySession("app", "s2")));
        await identity.putAccessKey(sessionKey("ASIAOTHER", webIdentitySession("other", "s1")));
        // A key owned by the role's ARN itself (not something the domain issues, but its own).
        await identity.putAccessKey(userKey("AKIAROLE", "x", { principal: roleArn("app") }));
        await identity.putAccessKey(userKey("AKIAUSER", "app"));

        assert.equal(await identity.deletePrincipal(roleArn("app")), true);
        assert.equal(await identity.deletePrincipal(roleArn("app")), false);
        const seen = (await openAnother()).identity;
        assert.equal(await seen.getPrincipal(roleArn("app")), undefined);
        assert.deepEqual(await seen.listPolicies(roleArn("app")), []);
        assert.deepEqual(
          (await seen.listAccessKeys()).map((k) => k.accessKeyId),
          ["AKIAUSER", "ASIAOTHER"],
        );
        assert.equal((await seen.listPolicies(roleArn("other"))).length, 1);
        assert.equal((await seen.listPolicies(userArn("app"))).length, 1);
        assert.deepEqual(await seen.getPrincipalByName("app"), user("app"));
        // The name is free again among roles, and the new role starts with nothing.
        await seen.createPrincipal(role("app", { createdAt: 2 }));
        assert.deepEqual(await identity.listPolicies(roleArn("app")), []);

        // Deleting a user leaves the sessions of a role of the same name alone.
        await identity.putAccessKey(sessionKey("ASIAAPP3", webIdentitySession("app", "s3")));
        assert.equal(await identity.deletePrincipal(userArn("app")), true);
        assert.deepEqual(
          (await seen.listAccessKeys()).map((k) => k.accessKeyId),
          ["ASIAAPP3", "ASIAOTHER"],
        );
      }));

    it("keeps OIDC providers by ARN, with their keys' source, audiences and tags", () =>
      withHarness(open, async ({ stores, openAnother }) => {
        const identity = stores.identity;
        const github = provider("token.actions.githubusercontent.com", {
          audiences: ["sts.amazonaws.com", "https://github.com/acme"],
          tags: [{ Key: "owner", Value: "platform" }],
        });
        const cluster = provider("kubernetes.default.svc", {
          audiences: ["coffer"],
          keys: { source: "document", jwks: jwksDocument },
          createdAt: 1_700_000_000_123,
          seal: { kekId: "k-2026", mac: Buffer.alloc(32, 0xa5) },
        });
        const gitlab = provider("gitlab.example.com/oidc", {
          keys: { source: "url", url: "https://gitlab.example.com/oauth/discovery/keys" },
        });
        for (const p of [github, cluster, gitlab]) await identity.createOidcProvider(p);
        const seen = (await openAnother()).identity;
        assert.deepEqual(await seen.getOidcProvider(github.arn), github);
        assert.deepEqual(await seen.getOidcProvider(cluster.arn), cluster);
        assert.deepEqual(await seen.getOidcProvider(gitlab.arn), gitlab);
        assert.deepEqual(await seen.listOidcProviders(), [gitlab, cluster, github]);
      }));

    it("refuses a provider whose ARN or issuer is taken, with OidcProviderExistsError", () =>
      withHarness(open, async ({ stores }) => {
        const identity = stores.identity;
        const first = provider("issuer.example.com");
        await identity.createOidcProvider(first);
        await assert.rejects(
          identity.createOidcProvider({ ...first, issuer: "https://elsewhere.example.com" }),
          providerExists,
        );
        await assert.rejects(
          identity.createOidcProvider({ ...first, arn: providerArn("issuer.example.com/other") }),
          providerExists,
        );
        assert.deepEqual(await identity.listOidcProviders(), [first]);
      }));

    it("racing creates of one issuer, on two connections, have one winner; the others get OidcProviderExistsError", () =>
      withHarness(open, async ({ stores, openAnother }) => {
        const another = await openAnother();
        const { won, errors } = await race(
          [stores, another, stores, another].map((node, i) =>
            node.identity.createOidcProvider(
              provider("contested.example.com", { arn: providerArn(`contested-${i}`) }),
            ),
          ),
        );
        assert.equal(won, 1);
        assert.equal(errors.length, 3);
        for (const error of errors) providerExists(error);
        assert.equal((await another.identity.listOidcProviders()).length, 1);
      }));

    it("updateOidcProvider replaces audiences, keys and tags, keeps issuer and creation; false when unknown", () =>
      withHarness(open, async ({ stores, openAnother }) => {
        const identity = stores.identity;
        const before = provider("cluster.example.com", { keys: { source: "document", jwks: jwksDocument } });
        await identity.createOidcProvider(before);
        const changed: OidcProviderRecord = {
          ...before,
          audiences: ["a", "b"],
          keys: { source: "url", url: "https://cluster.example.com/keys" },
          tags: [{ Key: "k", Value: "v" }],
        };
        assert.equal(
          await identity.updateOidcProvider({
            ...changed,
            issuer: "https://other.example.com",
            createdAt: 9,
          }),
          true,
        );
        const seen = (await openAnother()).identity;
        assert.deepEqual(await seen.getOidcProvider(before.arn), changed);
        // From a URL back to a document, and to discovery (no URL).
        const document = { ...changed, keys: { source: "document" as const, jwks: "{}" } };
        assert.equal(await identity.updateOidcProvider(document), true);
        assert.deepEqual(await seen.getOidcProvider(before.arn), document);
        const discovery = { ...changed, keys: { source: "url" as const, url: undefined } };
        assert.equal(await identity.updateOidcProvider(discovery), true);
        assert.deepEqual(await seen.getOidcProvider(before.arn), discovery);
        assert.equal(await identity.updateOidcProvider(provider("unknown.example.com")), false);
        assert.equal(await seen.getOidcProvider(providerArn("unknown.example.com")), undefined);
      }));

    it("deleting a provider frees its ARN and issuer", () =>
      withHarness(open, async ({ stores, openAnother }) => {
        const identity = stores.identity;
        await identity.createOidcProvider(provider("a.example.com"));
        await identity.createOidcProvider(provider("b.example.com"));
        assert.equal(await identity.deleteOidcProvider(providerArn("a.example.com")), true);
        assert.equal(await identity.deleteOidcProvider(providerArn("a.example.com")), false);
        const seen = (await openAnother()).identity;
        assert.deepEqual(await seen.listOidcProviders(), [provider("b.example.com")]);
        const again = provider("a.example.com", { createdAt: 3_000, audiences: [] });
        await seen.createOidcProvider(again);
        assert.deepEqual(await identity.getOidcProvider(again.arn), again);
      }));

    it("arbitrary providers and roles round-trip exactly", () =>
      withHarness(open, async ({ stores }) => {
        const identity = stores.identity;
        let n = 0;
        await fc.assert(
          fc.asyncProperty(
            fc.array(text, { maxLength: 4 }),
            oidcKeys,
            tags,
            epochMs,
            async (audiences, keys, providerTags, createdAt) => {
              const record = provider(`p${n++}.example.com`, {
                audiences,
                keys,
                tags: providerTags,
                createdAt,
              });
              await identity.createOidcProvider(record);
              assert.deepEqual(await identity.getOidcProvider(record.arn), record);
            },
          ),
          { numRuns: 40 },
        );
        await fc.assert(
          fc.asyncProperty(
            text,
            fc.integer({ min: 3_600, max: 43_200 }),
            optional(text),
            tags,
            async (policy, maxSessionDurationSeconds, description, roleTags) => {
              const record: PrincipalRecord = role(`r${n++}`, {
                tags: roleTags,
                role: { trustPolicy: policy, maxSessionDurationSeconds, description },
              });
              await identity.createPrincipal(record);
              assert.deepEqual(await identity.getPrincipal(record.arn), record);
            },
          ),
          { numRuns: 40 },
        );
      }));
  });
}
