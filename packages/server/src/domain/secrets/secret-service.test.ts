import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { type TestContext, test } from "node:test";
import fc from "fast-check";
import { createEnvelope } from "../../crypto/envelope.js";
import { openKeyring } from "../../crypto/keyring.js";
import { openTestStores, requireTestStores } from "../../storage/test-stores.test-helper.js";
import { randomArnSuffix } from "./arn.js";
import type { SecretDomainDeps } from "./deps.js";
import { SecretReader } from "./secret-reader.js";
import { SecretWriter } from "./secret-writer.js";

const { skip } = requireTestStores();
const scope = { region: "us-east-1" };
const day = 86_400_000;

/** The domain over fresh stores, closed when `t` ends (or by `close`, for each run of a property). */
async function domain(t?: TestContext) {
  let now = Date.UTC(2026, 0, 1);
  const keyring = openKeyring({ home: "/nonexistent", masterKeyBase64: randomBytes(32).toString("base64") });
  const opened = await openTestStores();
  t?.after(() => opened.close());
  const store = opened.stores.secrets;
  const deps: SecretDomainDeps = {
    store,
    envelope: createEnvelope(keyring),
    accountId: "123456789012",
    now: () => now,
    newVersionId: randomUUID,
    newArnSuffix: randomArnSuffix,
  };
  return {
    store,
    reader: new SecretReader(deps),
    writer: new SecretWriter(deps),
    advance: (ms: number) => {
      now += ms;
    },
    close: () => opened.close(),
  };
}

const text = (s: string) => ({ kind: "string" as const, bytes: Buffer.from(s) });

test("a secret is purged for good when its recovery window ends", { skip }, async (t) => {
  const { reader, writer, store, advance } = await domain(t);
  const { arn } = await writer.create(scope, { name: "temp", value: text("x") });
  await writer.delete(scope, { secretId: "temp", recoveryWindowInDays: 7 });
  advance(6 * day);
  assert.equal(await writer.purgeDue(), 0);
  await assert.rejects(reader.getValue(scope, { secretId: "temp" }), { name: "InvalidRequestException" });
  advance(1 * day + 1);
  // Gone for readers at once, removed from storage by the sweep.
  await assert.rejects(reader.getValue(scope, { secretId: "temp" }), { name: "ResourceNotFoundException" });
  assert.ok(await store.findByArn(arn));
  assert.equal(await writer.purgeDue(), 1);
  assert.equal(await store.findByArn(arn), undefined);
  assert.equal((await store.listSealedValues(undefined, 10)).length, 0);
  // The name is free again.
  await writer.create(scope, { name: "temp", value: text("y") });
});

test("concurrent writers to one secret both land, with consistent labels", { skip }, async (t) => {
  const { reader, writer } = await domain(t);
  await writer.create(scope, { name: "busy", value: text("0") });
  const results = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      writer.putValue(scope, { secretId: "busy", value: text(String(i + 1)) }),
    ),
  );
  const { versions } = await reader.listVersions(scope, { secretId: "busy", includeDeprecated: true });
  assert.equal(versions.length, 9);
  assert.equal(versions.filter((v) => v.stages.includes("AWSCURRENT")).length, 1);
  assert.equal(versions.filter((v) => v.stages.includes("AWSPREVIOUS")).length, 1);
  assert.equal(new Set(results.map((r) => r.versionId)).size, 8);
});

test("versions beyond 100 are pruned, oldest unlabelled first, but not those younger than a day", {
  skip,
}, async (t) => {
  const { reader, writer, advance } = await domain(t);
  await writer.create(scope, { name: "many", value: text("0") });
  for (let i = 1; i <= 104; i++) await writer.putValue(scope, { secretId: "many", value: text(String(i)) });
  let listed = await reader.listVersions(scope, {
    secretId: "many",
    includeDeprecated: true,
    maxResults: 100,
  });
  assert.ok(listed.nextToken, "all 105 versions are young, so none is pruned");
  advance(2 * day);
  await writer.putValue(scope, { secretId: "many", value: text("final") });
  listed = await reader.listVersions(scope, { secretId: "many", includeDeprecated: true, maxResults: 100 });
  assert.equal(listed.versions.length, 100);
  assert.equal(listed.nextToken, undefined);
  assert.equal(
    (await reader.getValue(scope, { secretId: "many", versionStage: "AWSPREVIOUS" })).value.bytes.toString(),
    "104",
  );
});

test("property: paging through ListSecrets while secrets are added and removed returns every untouched secret exactly once", {
  skip,
}, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 30 }),
      fc.integer({ min: 1, max: 7 }),
      fc.constantFrom("created-date" as const, "name" as const),
      fc.constantFrom("asc" as const, "desc" as const),
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 29 })), { maxLength: 10 }),
      async (count, pageSize, sortBy, sortOrder, churn) => {
        const { reader, writer, advance, close } = await domain();
        try {
          for (let i = 0; i < count; i++) {
            await writer.create(scope, { name: `s${String(i).padStart(2, "0")}`, value: text("v") });
            advance(1000);
          }
          const seen: string[] = [];
          const removed = new Set<string>();
          let token: string | undefined;
          let step = 0;
          do {
            const page = await reader.list(scope, {
              maxResults: pageSize,
              nextToken: token,
              sortBy,
              sortOrder,
            });
            seen.push(...page.secrets.map((s) => s.name));
            token = page.nextToken;
            const change = churn[step++];
            if (change) {
              const [add, index] = change;
              if (add) {
                await writer.create(scope, { name: `new-${step}`, value: text("v") });
                advance(1000);
              } else if (index < count) {
                const name = `s${String(index).padStart(2, "0")}`;
                if (!removed.has(name)) {
                  await writer.delete(scope, { secretId: name, forceDeleteWithoutRecovery: true });
                  removed.add(name);
                }
              }
            }
          } while (token);
          assert.equal(new Set(seen).size, seen.length, "no secret is listed twice");
          for (let i = 0; i < count; i++) {
            const name = `s${String(i).padStart(2, "0")}`;
            if (!removed.has(name)) assert.ok(seen.includes(name), `${name} missing`);
          }
        } finally {
          await close();
        }
      },
    ),
    { numRuns: 40 },
  );
});

test("a NextToken from one query is refused by another", { skip }, async (t) => {
  const { reader, writer } = await domain(t);
  for (let i = 0; i < 3; i++) await writer.create(scope, { name: `p${i}`, value: text("v") });
  const page = await reader.list(scope, { maxResults: 1 });
  assert.ok(page.nextToken);
  await assert.rejects(reader.list(scope, { maxResults: 1, nextToken: page.nextToken, sortOrder: "asc" }), {
    name: "InvalidNextTokenException",
  });
});

test("a value over 65,536 bytes is refused before anything is stored", { skip }, async (t) => {
  const { writer, store } = await domain(t);
  await assert.rejects(writer.create(scope, { name: "huge", value: text("x".repeat(65_537)) }), {
    name: "InvalidParameterException",
  });
  assert.equal(await store.findByName("us-east-1", "huge"), undefined);
  await writer.create(scope, { name: "max", value: text("x".repeat(65_536)) });
});
