import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { type TestContext, test } from "node:test";
import fc from "fast-check";
import { OutcomeUnrecorded } from "../../audit/audit-write-error.js";
import { createEnvelope } from "../../crypto/envelope.js";
import { openKeyring } from "../../crypto/keyring.js";
import { openTestStores, requireTestStores } from "../../storage/test-stores.test-helper.js";
import { commitEdit } from "../rotation/rotation-commit.js";
import { randomArnSuffix } from "./arn.js";
import type { SecretDomainDeps } from "./deps.js";
import { replicatingStore, replicaWriteMessage } from "./replication.js";
import type { ReplicationAuditEntry } from "./replication-audit.js";
import { SecretReader } from "./secret-reader.js";
import { SecretWriter } from "./secret-writer.js";

const { skip } = requireTestStores();
const east = { region: "us-east-1" };
const west = { region: "us-west-2" };
const eu = { region: "eu-west-1" };

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
  const reader = new SecretReader(deps);
  return {
    store,
    rawSql: opened.rawSql,
    close: () => opened.close(),
    deps,
    reader,
    writer: new SecretWriter(deps),
    advance: (ms: number) => {
      now += ms;
    },
    value: async (scope: { region: string }, secretId: string, versionStage?: string) =>
      (await reader.getValue(scope, { secretId, versionStage })).value.bytes.toString(),
    /** What must be equal between a primary and its replica: versions, labels, metadata. */
    shape: async (scope: { region: string }, secretId: string) => {
      const { secret, versions } = await reader.describe(scope, secretId);
      return {
        name: secret.name,
        description: secret.description,
        tags: secret.tags,
        deletedAt: secret.deletedAt,
        type: secret.type,
        resourcePolicy: secret.resourcePolicy,
        versions: versions
          .map((v) => ({ id: v.versionId, stages: [...v.stages].sort() }))
          .sort((a, b) => a.id.localeCompare(b.id)),
      };
    },
  };
}

const text = (s: string) => ({ kind: "string" as const, bytes: Buffer.from(s) });

test("CreateSecret with AddReplicaRegions: a replica under the same name, ARN differing only by region", {
  skip,
}, async (t) => {
  const d = await domain(t);
  const created = await d.writer.create(east, {
    name: "app/db",
    value: text("one"),
    description: "d",
    tags: [{ Key: "team", Value: "a" }],
    addReplicaRegions: [{ region: "us-west-2", kmsKeyId: "alias/west" }],
  });
  assert.deepEqual(created.replicationStatus, [
    { region: "us-west-2", kmsKeyId: "alias/west", status: "InSync" },
  ]);
  const replica = await d.reader.describe(west, "app/db");
  assert.equal(replica.secret.arn, created.arn.replace(":us-east-1:", ":us-west-2:"));
  assert.deepEqual(replica.secret.replication, { role: "replica", primaryRegion: "us-east-1" });
  assert.equal(replica.secret.kmsKeyId, "alias/west");
  assert.equal(await d.value(west, "app/db"), "one");
  assert.equal(await d.value(west, replica.secret.arn), "one");
  assert.deepEqual(await d.shape(west, "app/db"), await d.shape(east, "app/db"));
});

test("a replica follows every kind of change of its primary", { skip }, async (t) => {
  const d = await domain(t);
  await d.writer.create(east, { name: "s", value: text("v1"), addReplicaRegions: [{ region: "us-west-2" }] });
  const same = async () => assert.deepEqual(await d.shape(west, "s"), await d.shape(east, "s"));
  const put = await d.writer.putValue(east, { secretId: "s", value: text("v2") });
  await same();
  assert.equal(await d.value(west, "s"), "v2");
  assert.equal(await d.value(west, "s", "AWSPREVIOUS"), "v1");
  await d.writer.putValue(east, { secretId: "s", value: text("v3"), stages: ["STAGED"] });
  await same();
  await d.writer.updateVersionStage(east, {
    secretId: "s",
    stage: "AWSCURRENT",
    moveToVersionId: (await d.store.findByName("us-east-1", "s"))?.versions.find((v) =>
      v.stages.includes("STAGED"),
    )?.versionId,
    removeFromVersionId: put.versionId,
  });
  await same();
  assert.equal(await d.value(west, "s"), "v3");
  await d.writer.update(east, { secretId: "s", description: "new", value: text("v4"), type: "t" });
  await same();
  await d.writer.tag(east, "s", [{ Key: "k", Value: "v" }]);
  await same();
  await d.writer.untag(east, "s", ["k"]);
  await same();
  await d.writer.putResourcePolicy(
    east,
    "s",
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::123456789012:root" },
          Action: "secretsmanager:GetSecretValue",
          Resource: "*",
        },
      ],
    }),
    { blockPublicPolicy: true },
  );
  await same();
  await d.writer.deleteResourcePolicy(east, "s");
  await same();
  assert.equal(await d.value(west, "s"), "v4");
});

test("writes to a replica are refused with AWS's error; reads work", { skip }, async (t) => {
  const d = await domain(t);
  await d.writer.create(east, { name: "s", value: text("v1"), addReplicaRegions: [{ region: "us-west-2" }] });
  const refused = { name: "InvalidParameterException", message: replicaWriteMessage };
  await assert.rejects(d.writer.putValue(west, { secretId: "s", value: text("x") }), refused);
  await assert.rejects(d.writer.update(west, { secretId: "s", description: "x" }), refused);
  await assert.rejects(d.writer.tag(west, "s", [{ Key: "k", Value: "v" }]), refused);
  await assert.rejects(d.writer.untag(west, "s", ["k"]), refused);
  await assert.rejects(d.writer.delete(west, { secretId: "s" }), refused);
  await assert.rejects(d.writer.restore(west, "s"), refused);
  await assert.rejects(d.writer.deleteResourcePolicy(west, "s"), refused);
  await assert.rejects(
    d.writer.updateVersionStage(west, { secretId: "s", stage: "X", moveToVersionId: "a" }),
    refused,
  );
  await assert.rejects(
    d.writer.replicate(west, { secretId: "s", addReplicaRegions: [{ region: "eu-west-1" }] }),
    refused,
  );
  await assert.rejects(d.writer.removeRegions(west, { secretId: "s", regions: ["us-east-1"] }), refused);
  assert.equal(await d.value(west, "s"), "v1");
});

test("ReplicateSecretToRegions: same region refused; a taken name fails the region unless overwritten", {
  skip,
}, async (t) => {
  const d = await domain(t);
  await d.writer.create(east, { name: "s", value: text("mine") });
  await assert.rejects(
    d.writer.replicate(east, { secretId: "s", addReplicaRegions: [{ region: "us-east-1" }] }),
    {
      name: "InvalidParameterException",
      message: "Invalid replica region.",
    },
  );
  await d.writer.create(west, { name: "s", value: text("theirs") });
  const failed = await d.writer.replicate(east, {
    secretId: "s",
    addReplicaRegions: [{ region: "us-west-2" }],
  });
  assert.deepEqual(failed.replicationStatus, [
    {
      region: "us-west-2",
      status: "Failed",
      statusMessage: "Replication failed: Secret name s already exists in region us-west-2.",
    },
  ]);
  assert.equal(await d.value(west, "s"), "theirs");
  await d.writer.putValue(east, { secretId: "s", value: text("mine2") });
  assert.equal(await d.value(west, "s"), "theirs");
  // A failed region is removed like any other; then overwrite.
  await d.writer.removeRegions(east, { secretId: "s", regions: ["us-west-2"] });
  assert.equal(await d.value(west, "s"), "theirs");
  const done = await d.writer.replicate(east, {
    secretId: "s",
    addReplicaRegions: [{ region: "us-west-2" }, { region: "eu-west-1" }],
    forceOverwriteReplicaSecret: true,
  });
  assert.deepEqual(
    done.replicationStatus.map((r) => r.status),
    ["InSync", "InSync"],
  );
  assert.equal(await d.value(west, "s"), "mine2");
  assert.equal(await d.value(eu, "s"), "mine2");
  assert.deepEqual(await d.shape(eu, "s"), await d.shape(east, "s"));
});

test("RemoveRegionsFromReplication deletes those replicas; DeleteSecret waits for it, as AWS", {
  skip,
}, async (t) => {
  const d = await domain(t);
  const { arn } = await d.writer.create(east, {
    name: "s",
    value: text("v"),
    addReplicaRegions: [{ region: "us-west-2" }, { region: "eu-west-1" }],
  });
  await assert.rejects(d.writer.delete(east, { secretId: "s" }), {
    name: "InvalidParameterException",
    message: `You can't delete secret ${arn} that still has replica regions [us-west-2,eu-west-1]`,
  });
  await assert.rejects(d.writer.delete(east, { secretId: "s", forceDeleteWithoutRecovery: true }), {
    name: "InvalidParameterException",
  });
  const left = await d.writer.removeRegions(east, { secretId: "s", regions: ["us-west-2"] });
  assert.deepEqual(left.replicationStatus, [{ region: "eu-west-1", status: "InSync" }]);
  await assert.rejects(d.reader.describe(west, "s"), { name: "ResourceNotFoundException" });
  assert.equal(await d.value(eu, "s"), "v");
  // Idempotent, as AWS.
  await d.writer.removeRegions(east, { secretId: "s", regions: ["us-west-2"] });
  await d.writer.removeRegions(east, { secretId: "s", regions: ["eu-west-1"] });
  assert.equal((await d.reader.describe(east, "s")).secret.replication, undefined);
  await d.writer.delete(east, { secretId: "s" });
});

test("StopReplicationToReplica promotes the replica to a standalone secret; the primary forgets it", {
  skip,
}, async (t) => {
  const d = await domain(t);
  await d.writer.create(east, { name: "s", value: text("v1"), addReplicaRegions: [{ region: "us-west-2" }] });
  await assert.rejects(d.writer.promote(east, "s"), { name: "InvalidParameterException" });
  await d.writer.promote(west, "s");
  assert.equal((await d.reader.describe(east, "s")).secret.replication, undefined);
  assert.equal((await d.reader.describe(west, "s")).secret.replication, undefined);
  await d.writer.putValue(east, { secretId: "s", value: text("east") });
  await d.writer.putValue(west, { secretId: "s", value: text("west") });
  assert.equal(await d.value(east, "s"), "east");
  assert.equal(await d.value(west, "s"), "west");
});

test("the primary-region filter is each secret's own primary region", { skip }, async (t) => {
  const d = await domain(t);
  await d.writer.create(east, {
    name: "replicated",
    value: text("v"),
    addReplicaRegions: [{ region: "us-west-2" }],
  });
  await d.writer.create(west, { name: "local", value: text("v") });
  const names = async (scope: { region: string }, value: string) =>
    (await d.reader.list(scope, { filters: [{ Key: "primary-region", Values: [value] }] })).secrets
      .map((s) => s.name)
      .sort();
  assert.deepEqual(await names(west, "us-east-1"), ["replicated"]);
  assert.deepEqual(await names(west, "us-west-2"), ["local"]);
  assert.deepEqual(await names(west, "us-"), ["local", "replicated"]);
  assert.deepEqual(await names(east, "us-east-1"), ["replicated"]);
  assert.deepEqual(await names(east, "us-west-2"), []);
});

test("the replication column is under the row seal: an edit without the master key fails closed", {
  skip,
}, async (t) => {
  const d = await domain(t);
  await d.writer.create(east, { name: "s", value: text("v"), addReplicaRegions: [{ region: "us-west-2" }] });
  await d.rawSql("UPDATE secrets SET replication = NULL, primary_region = NULL WHERE region = 'us-west-2'");
  await assert.rejects(d.value(west, "s"), { name: "DecryptionFailure" });
});

test("property: after any sequence of primary writes, each replica equals the primary", {
  skip,
}, async () => {
  const op = fc.oneof(
    fc.record({
      kind: fc.constant("put" as const),
      value: fc.string({ maxLength: 4 }),
      staged: fc.boolean(),
    }),
    fc.record({ kind: fc.constant("move" as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant("tag" as const), key: fc.constantFrom("a", "b") }),
    fc.record({ kind: fc.constant("untag" as const), key: fc.constantFrom("a", "b") }),
    fc.record({ kind: fc.constant("describe" as const), text: fc.string({ maxLength: 4 }) }),
    fc.record({ kind: fc.constant("replicate" as const), region: fc.constantFrom("us-west-2", "eu-west-1") }),
    fc.record({ kind: fc.constant("remove" as const), region: fc.constantFrom("us-west-2", "eu-west-1") }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(op, { maxLength: 12 }), async (ops) => {
      const d = await domain();
      try {
        await d.writer.create(east, {
          name: "p",
          value: text("0"),
          addReplicaRegions: [{ region: "us-west-2" }],
        });
        for (const o of ops) {
          d.advance(1000);
          if (o.kind === "put") {
            await d.writer.putValue(east, {
              secretId: "p",
              value: text(o.value),
              stages: o.staged ? ["S"] : undefined,
            });
          } else if (o.kind === "move") {
            const { versions } = await d.reader.describe(east, "p");
            const target = versions[o.pick % versions.length];
            const holder = versions.find((v) => v.stages.includes("AWSCURRENT"));
            if (target && holder && target.versionId !== holder.versionId) {
              await d.writer.updateVersionStage(east, {
                secretId: "p",
                stage: "AWSCURRENT",
                moveToVersionId: target.versionId,
                removeFromVersionId: holder.versionId,
              });
            }
          } else if (o.kind === "tag") await d.writer.tag(east, "p", [{ Key: o.key, Value: "v" }]);
          else if (o.kind === "untag") await d.writer.untag(east, "p", [o.key]);
          else if (o.kind === "describe") await d.writer.update(east, { secretId: "p", description: o.text });
          else if (o.kind === "replicate")
            await d.writer.replicate(east, { secretId: "p", addReplicaRegions: [{ region: o.region }] });
          else await d.writer.removeRegions(east, { secretId: "p", regions: [o.region] });
        }
        const primary = await d.reader.describe(east, "p");
        const regions =
          primary.secret.replication?.role === "primary"
            ? primary.secret.replication.replicas.map((r) => r.region)
            : [];
        for (const region of ["us-west-2", "eu-west-1"]) {
          if (!regions.includes(region)) {
            await assert.rejects(d.reader.describe({ region }, "p"), { name: "ResourceNotFoundException" });
            continue;
          }
          assert.deepEqual(await d.shape({ region }, "p"), await d.shape(east, "p"));
          for (const v of primary.versions) {
            const a = await d.reader.getValue(east, { secretId: "p", versionId: v.versionId });
            const b = await d.reader.getValue({ region }, { secretId: "p", versionId: v.versionId });
            assert.equal(b.value.bytes.toString(), a.value.bytes.toString());
          }
        }
      } finally {
        await d.close();
      }
    }),
    { numRuns: 40 },
  );
});

test("a commit outside the writer (the rotation engine's) reaches the replicas, and is refused on a replica", {
  skip,
}, async (t) => {
  const d = await domain(t);
  const store = replicatingStore(d.store, d.deps.envelope);
  const deps = { ...d.deps, store };
  await d.writer.create(east, { name: "s", value: text("v1"), addReplicaRegions: [{ region: "us-west-2" }] });
  const primary = await d.store.findByName("us-east-1", "s");
  assert.ok(primary);
  await commitEdit(deps, primary, { secret: { ...primary.secret, description: "by rotation" }, restage: [] });
  assert.equal((await d.reader.describe(west, "s")).secret.description, "by rotation");
  // A change the rotation makes visible (a label move) gets its event in the replica's region;
  // rotation bookkeeping (no operation) does not.
  const events: ReplicationAuditEntry[] = [];
  const audited = {
    ...deps,
    replicationAudit: { record: async (e: readonly ReplicationAuditEntry[]) => void events.push(...e) },
  };
  const again = await d.store.findByName("us-east-1", "s");
  assert.ok(again);
  await commitEdit(audited, again, { secret: again.secret, operation: "RotateSecret" });
  const bookkept = await d.store.findByName("us-east-1", "s");
  assert.ok(bookkept);
  await commitEdit(audited, bookkept, { secret: bookkept.secret });
  assert.deepEqual(
    events.map((e) => [e.event, e.region, e.replicaArn, e.operation]),
    [
      [
        "ReplicationSucceeded",
        "us-west-2",
        primary.secret.arn.replace(":us-east-1:", ":us-west-2:"),
        "RotateSecret",
      ],
    ],
  );
  const replica = await d.store.findByName("us-west-2", "s");
  assert.ok(replica);
  await assert.rejects(commitEdit(deps, replica, { secret: { ...replica.secret, description: "x" } }), {
    name: "InvalidParameterException",
    message: replicaWriteMessage,
  });
});

test("ReplicationStatus reports each replica's last read in its own region; none until it is read there", {
  skip,
}, async (t) => {
  const d = await domain(t);
  const today = Date.UTC(2026, 0, 1);
  await d.writer.create(east, {
    name: "db",
    value: text("v"),
    addReplicaRegions: [{ region: "eu-west-1" }, { region: "us-west-2" }],
  });
  const lastAccessed = async () =>
    Object.fromEntries(
      ((await d.reader.describe(east, "db")).replicationStatus ?? []).map((r) => [
        r.region,
        r.lastAccessedAt,
      ]),
    );
  await d.value(east, "db");
  await d.value(eu, "db");
  // The store records access dates in batches after the turn: wait for it, with a deadline.
  const deadline = Date.now() + 5_000;
  while ((await lastAccessed())["eu-west-1"] === undefined && Date.now() < deadline) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.deepEqual(await lastAccessed(), { "eu-west-1": today, "us-west-2": undefined });
  // Never part of the primary's stored status (it is read at answer time).
  const stored = await d.store.findRecordByArn((await d.reader.describe(east, "db")).secret.arn);
  assert.ok(stored?.replication?.role === "primary");
  assert.ok(stored.replication.replicas.every((r) => !("lastAccessedAt" in r)));
  const removed = await d.writer.removeRegions(east, { secretId: "db", regions: ["us-west-2"] });
  assert.deepEqual(removed.replicationStatus, [
    { region: "eu-west-1", status: "InSync", lastAccessedAt: today },
  ]);
  await d.close();
});

test("each replicated change gets an event in the replica's region naming the replica; a failed region gets ReplicationFailed", {
  skip,
}, async (t) => {
  const d = await domain(t);
  const events: ReplicationAuditEntry[] = [];
  d.deps.replicationAudit = { record: async (entries) => void events.push(...entries) };
  await d.writer.create(west, { name: "s", value: text("theirs") });
  const created = await d.writer.create(east, {
    name: "s",
    value: text("mine"),
    addReplicaRegions: [{ region: "eu-west-1" }, { region: "us-west-2" }],
  });
  const replicaArn = (region: string) => created.arn.replace(":us-east-1:", `:${region}:`);
  const seen = () =>
    events.splice(0).map((e) => {
      assert.equal(e.primaryArn, created.arn);
      assert.equal(e.primaryRegion, "us-east-1");
      assert.equal(e.replicaArn, replicaArn(e.region));
      return [e.event, e.region, e.operation, e.message];
    });
  assert.deepEqual(seen(), [
    ["ReplicationSucceeded", "eu-west-1", "CreateSecret", undefined],
    [
      "ReplicationFailed",
      "us-west-2",
      "CreateSecret",
      "Replication failed: Secret name s already exists in region us-west-2.",
    ],
  ]);
  await d.writer.putValue(east, { secretId: "s", value: text("mine2") });
  await d.writer.tag(east, "s", [{ Key: "k", Value: "v" }]);
  assert.deepEqual(seen(), [
    ["ReplicationSucceeded", "eu-west-1", "PutSecretValue", undefined],
    ["ReplicationSucceeded", "eu-west-1", "TagResource", undefined],
  ]);
  // Only the region this request adds; eu-west-1 is already a replica.
  await d.writer.replicate(east, {
    secretId: "s",
    addReplicaRegions: [{ region: "eu-west-1" }, { region: "ap-south-1" }],
  });
  assert.deepEqual(seen(), [["ReplicationSucceeded", "ap-south-1", "ReplicateSecretToRegions", undefined]]);
  // Writes in the replica's own region, and changes of a secret never replicated, add none.
  await d.writer.create(east, { name: "plain", value: text("p") });
  await d.writer.putValue(east, { secretId: "plain", value: text("q") });
  await assert.rejects(d.writer.putValue(eu, { secretId: "s", value: text("x") }));
  assert.deepEqual(seen(), []);
  await d.close();
});

test("a replication event that cannot be written after the commit says the change was made (OutcomeUnrecorded)", {
  skip,
}, async (t) => {
  const d = await domain(t);
  d.deps.replicationAudit = {
    record: async () => {
      throw new Error("disk full");
    },
  };
  await assert.rejects(
    d.writer.create(east, { name: "s", value: text("v"), addReplicaRegions: [{ region: "eu-west-1" }] }),
    (error: Error) => error instanceof OutcomeUnrecorded,
  );
  // It was made, primary and replica alike.
  assert.equal((await d.reader.getValue(east, { secretId: "s" })).value.bytes.toString(), "v");
  assert.equal((await d.reader.getValue(eu, { secretId: "s" })).value.bytes.toString(), "v");
  await d.close();
});
