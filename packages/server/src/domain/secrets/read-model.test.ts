import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { inspect } from "node:util";
import fc from "fast-check";
import { createEnvelope } from "../../crypto/envelope.js";
import { openKeyring, rotateKeyringFile } from "../../crypto/keyring.js";
import { AccessDeniedException } from "../../errors/catalog.js";
import { openTestStores, requireTestStores } from "../../storage/test-stores.test-helper.js";
import type { Authorizer } from "../access/authorizer.js";
import type { SecretStore } from "../ports/secret-store.js";
import { randomArnSuffix } from "./arn.js";
import { ChangeEventBus } from "./change-events.js";
import type { SecretDomainDeps } from "./deps.js";
import { invalidatingStore } from "./invalidating-store.js";
import { LocalSecretInvalidations } from "./invalidations.js";
import { SecretReadModel } from "./read-model.js";
import { SecretReader } from "./secret-reader.js";
import { SecretWriter } from "./secret-writer.js";

const { skip } = requireTestStores();
const region = "us-east-1";
const text = (s: string) => ({ kind: "string" as const, bytes: Buffer.from(s) });

/**
 * Fresh stores (on the engine COFFER_TEST_STORE names), a file keyring in a temporary folder, the
 * read model wired as open-coffer wires it.
 */
async function domain(options: { maxEntries?: number; deny?: () => boolean } = {}) {
  const opened = await openTestStores();
  const home = mkdtempSync(join(tmpdir(), "coffer-read-model-"));
  const store = opened.stores.secrets;
  const reads = { count: 0 };
  const counted: SecretStore = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      if (property === "readSnapshot" || String(property).startsWith("find")) reads.count++;
      return value.bind(target);
    },
  });
  const keyring = openKeyring({ home });
  const envelope = createEnvelope(keyring);
  const changes = new ChangeEventBus();
  const invalidations = new LocalSecretInvalidations();
  const readModel = new SecretReadModel({ maxEntries: options.maxEntries ?? 100 });
  readModel.attach(invalidations);
  invalidations.follow(changes);
  envelope.onKeysChanged(() => invalidations.invalidate({ kind: "all", reason: "keys" }));
  const authorizations = { count: 0 };
  const authorizer = {
    checkSecret: async () => {
      authorizations.count++;
      if (options.deny?.()) throw new AccessDeniedException("denied");
    },
  } as unknown as Authorizer;
  const base: SecretDomainDeps = {
    store: invalidatingStore(counted, invalidations),
    envelope,
    accountId: "123456789012",
    now: Date.now,
    newVersionId: randomUUID,
    newArnSuffix: randomArnSuffix,
    changes,
    authorizer,
  };
  const scope = {
    region,
    caller: { principal: "arn:aws:iam::123456789012:user/u", accessKeyId: "AKIA", sourceIp: "" },
  };
  return {
    home,
    keyring,
    scope,
    reads,
    authorizations,
    readModel,
    invalidations,
    writer: new SecretWriter(base),
    cached: new SecretReader({ ...base, readModel }),
    uncached: new SecretReader({ ...base, store }),
    close: async () => {
      try {
        await opened.close();
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    },
  };
}

test("a warm read queries no store and decrypts nothing, but authorizes every time", { skip }, async () => {
  const d = await domain();
  try {
    await d.writer.create(d.scope, { name: "warm", value: text("one") });
    const first = await d.cached.getValue(d.scope, { secretId: "warm" });
    const before = { reads: d.reads.count, auth: d.authorizations.count };
    for (let i = 0; i < 5; i++) assert.equal(await d.cached.getValue(d.scope, { secretId: "warm" }), first);
    assert.equal(d.reads.count, before.reads);
    assert.equal(d.authorizations.count, before.auth + 5);
  } finally {
    await d.close();
  }
});

test("a denial applies to a warm read", { skip }, async () => {
  let deny = false;
  const d = await domain({ deny: () => deny });
  try {
    await d.writer.create(d.scope, { name: "guarded", value: text("x") });
    await d.cached.getValue(d.scope, { secretId: "guarded" });
    deny = true;
    await assert.rejects(d.cached.getValue(d.scope, { secretId: "guarded" }), {
      name: "AccessDeniedException",
    });
  } finally {
    await d.close();
  }
});

test("a master-key rotation (the keyring reloading other keys) drops the read model", { skip }, async () => {
  const d = await domain();
  try {
    await d.writer.create(d.scope, { name: "keyed", value: text("v") });
    await d.cached.getValue(d.scope, { secretId: "keyed" });
    assert.equal(d.readModel.size, 1);
    rotateKeyringFile(d.home);
    d.keyring.reload();
    assert.equal(d.readModel.size, 0);
    assert.equal((await d.cached.getValue(d.scope, { secretId: "keyed" })).value.bytes.toString(), "v");
  } finally {
    await d.close();
  }
});

test("a load that began before an invalidation of its secret is not kept", { skip }, async () => {
  const d = await domain();
  try {
    await d.writer.create(d.scope, { name: "raced", value: text("old") });
    const read = await d.uncached.getValue(d.scope, { secretId: "raced" });
    const token = d.readModel.begin();
    d.invalidations.invalidate({ kind: "secret", arn: read.arn, name: "raced", region });
    const state = await d.writer.create(d.scope, { name: "other", value: text("o") });
    assert.ok(state.arn);
    const record = {
      ...(await (d.uncached as unknown as { deps: SecretDomainDeps }).deps.store.findRecordByArn(read.arn)),
    };
    d.readModel.remember(
      token,
      { region, secretId: "raced" },
      {
        record: record as never,
        stages: [],
        read,
        accessedDay: 0,
      },
    );
    assert.equal(d.readModel.find(region, "raced"), undefined);
  } finally {
    await d.close();
  }
});

test("memory is bounded by entries: least recently used first", { skip }, async () => {
  const d = await domain({ maxEntries: 3 });
  try {
    for (let i = 0; i < 6; i++) {
      await d.writer.create(d.scope, { name: `s${i}`, value: text(`${i}`) });
      await d.cached.getValue(d.scope, { secretId: `s${i}` });
    }
    assert.equal(d.readModel.size, 3);
    assert.equal(d.readModel.find(region, "s0"), undefined);
    assert.ok(d.readModel.find(region, "s5"));
  } finally {
    await d.close();
  }
});

test("secret values reach no error message and no inspection of the read model (canary)", {
  skip,
}, async () => {
  const canary = `canary-${randomBytes(8).toString("hex")}`;
  let deny = false;
  const d = await domain({ deny: () => deny });
  try {
    await d.writer.create(d.scope, { name: "canary", value: text(canary) });
    await d.cached.getValue(d.scope, { secretId: "canary" });
    const failures: unknown[] = [];
    const attempt = (p: Promise<unknown>) =>
      p.then(
        () => assert.fail("expected a failure"),
        (e) => failures.push(e),
      );
    await attempt(d.cached.getValue(d.scope, { secretId: "canary", versionStage: "NOPE" }));
    await attempt(d.cached.getValue(d.scope, { secretId: "canary", versionId: randomUUID() }));
    deny = true;
    await attempt(d.cached.getValue(d.scope, { secretId: "canary" }));
    deny = false;
    await d.writer.delete(d.scope, { secretId: "canary" });
    await attempt(d.cached.getValue(d.scope, { secretId: "canary" }));
    assert.equal(failures.length, 4);
    for (const failure of failures) {
      assert.ok(!inspect(failure, { depth: 10 }).includes(canary));
      assert.ok(!JSON.stringify(failure).includes(canary));
    }
    await d.writer.restore(d.scope, "canary");
    await d.cached.getValue(d.scope, { secretId: "canary" });
    assert.ok(!inspect(d.readModel, { depth: 10 }).includes(canary));
  } finally {
    await d.close();
  }
});

type Op =
  | { kind: "put"; secret: number; value: string }
  | { kind: "stage"; secret: number; back: boolean }
  | { kind: "delete"; secret: number }
  | { kind: "restore"; secret: number }
  | { kind: "tag"; secret: number }
  | { kind: "read"; secret: number; by: "name" | "arn" | "previous" }
  | { kind: "concurrent"; secret: number; value: string };

test("property: random interleavings of writes and reads; every cached read agrees with the store", {
  skip,
}, async () => {
  const secret = fc.integer({ min: 0, max: 2 });
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant("put" as const), secret, value: fc.string({ maxLength: 8 }) }),
    fc.record({ kind: fc.constant("stage" as const), secret, back: fc.boolean() }),
    fc.record({ kind: fc.constant("delete" as const), secret }),
    fc.record({ kind: fc.constant("restore" as const), secret }),
    fc.record({ kind: fc.constant("tag" as const), secret }),
    fc.record({ kind: fc.constant("read" as const), secret, by: fc.constantFrom("name", "arn", "previous") }),
    fc.record({ kind: fc.constant("concurrent" as const), secret, value: fc.string({ maxLength: 8 }) }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
      const d = await domain({ maxEntries: 2 });
      try {
        const arns: string[] = [];
        for (let i = 0; i < 3; i++)
          arns.push((await d.writer.create(d.scope, { name: `p${i}`, value: text("0") })).arn);
        const outcome = (
          p: Promise<{ versionId: string; value: { bytes: Buffer }; stages: readonly string[] }>,
        ) =>
          p.then(
            (r) => `${r.versionId}:${r.value.bytes.toString()}:${[...r.stages].sort().join(",")}`,
            (e: Error) => e.name,
          );
        const compare = async (input: { secretId: string; versionStage?: string }) => {
          const cached = await outcome(d.cached.getValue(d.scope, input));
          const stored = await outcome(d.uncached.getValue(d.scope, input));
          assert.equal(cached, stored, JSON.stringify(input));
        };
        for (const o of ops) {
          const name = `p${o.secret}`;
          const swallow = (p: Promise<unknown>) => p.catch(() => undefined);
          switch (o.kind) {
            case "put":
              await swallow(d.writer.putValue(d.scope, { secretId: name, value: text(o.value) }));
              break;
            case "stage": {
              const r = await d.uncached
                .getValue(d.scope, { secretId: name, versionStage: "AWSPREVIOUS" })
                .catch(() => undefined);
              const c = await d.uncached.getValue(d.scope, { secretId: name }).catch(() => undefined);
              if (r && c && o.back) {
                await swallow(
                  d.writer.updateVersionStage(d.scope, {
                    secretId: name,
                    stage: "AWSCURRENT",
                    moveToVersionId: r.versionId,
                    removeFromVersionId: c.versionId,
                  }),
                );
              }
              break;
            }
            case "delete":
              await swallow(d.writer.delete(d.scope, { secretId: name }));
              break;
            case "restore":
              await swallow(d.writer.restore(d.scope, name));
              break;
            case "tag":
              await swallow(d.writer.tag(d.scope, name, [{ Key: "k", Value: randomUUID() }]));
              break;
            case "read":
              await compare(
                o.by === "previous"
                  ? { secretId: name, versionStage: "AWSPREVIOUS" }
                  : { secretId: o.by === "arn" ? (arns[o.secret] as string) : name },
              );
              break;
            case "concurrent": {
              // A read racing a write: whatever it returns, the next read must see the write.
              const [, , after] = await Promise.all([
                d.cached.getValue(d.scope, { secretId: name }).catch(() => undefined),
                swallow(d.writer.putValue(d.scope, { secretId: name, value: text(o.value) })),
                d.cached.getValue(d.scope, { secretId: name }).catch(() => undefined),
              ]);
              assert.ok(after === undefined || typeof after.versionId === "string");
              await compare({ secretId: name });
              break;
            }
          }
        }
        for (let i = 0; i < 3; i++) await compare({ secretId: `p${i}` });
      } finally {
        await d.close();
      }
    }),
    { numRuns: 40 },
  );
});

test("lookups count a hit exactly for each read answered without the store (metrics)", { skip }, async () => {
  const d = await domain();
  try {
    await d.writer.create(d.scope, { name: "counted", value: text("one") });
    const reads = async (n: number) => {
      for (let i = 0; i < n; i++) await d.cached.getValue(d.scope, { secretId: "counted" });
    };
    await reads(1);
    assert.deepEqual(d.readModel.lookups, { hits: 0, misses: 1 });
    const storeReads = d.reads.count;
    await reads(4);
    assert.deepEqual(d.readModel.lookups, { hits: 4, misses: 1 });
    assert.equal(d.reads.count, storeReads, "hits queried no store");
    await d.writer.putValue(d.scope, { secretId: "counted", value: text("two") });
    await reads(2);
    assert.deepEqual(d.readModel.lookups, { hits: 5, misses: 2 }, "a write makes the next read a miss");
    await assert.rejects(d.cached.getValue(d.scope, { secretId: "absent" }), {
      name: "ResourceNotFoundException",
    });
    assert.deepEqual(d.readModel.lookups, { hits: 5, misses: 3 });
  } finally {
    await d.close();
  }
});
