import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { describe, type TestContext, test } from "node:test";
import { createEnvelope } from "../../crypto/envelope.js";
import { openKeyring } from "../../crypto/keyring.js";
import { openTestStores, requireTestStores } from "../../storage/test-stores.test-helper.js";
import { randomArnSuffix } from "./arn.js";
import { type ChangeEvent, ChangeEventBus, type ChangeNotice } from "./change-events.js";
import type { SecretDomainDeps } from "./deps.js";
import { SecretWriter } from "./secret-writer.js";

const { skip } = requireTestStores();

function notice(name: string, overrides: Partial<ChangeNotice> = {}): ChangeNotice {
  return {
    arn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`,
    name,
    region: "us-east-1",
    versionId: randomUUID(),
    operation: "PutSecretValue",
    eventTime: 1_790_000_000_123,
    ...overrides,
  };
}

const ids = (events: readonly ChangeEvent[] | undefined) => events?.map((e) => e.id);

describe("ChangeEventBus", () => {
  test("ids increase by one from firstId, and listeners get each event once, in order", () => {
    const bus = new ChangeEventBus({ firstId: 41 });
    assert.equal(bus.lastId, 40);
    const seen: number[] = [];
    bus.subscribe((e) => seen.push(e.id));
    const published = [bus.publish(notice("a")), bus.publish(notice("b")), bus.publish(notice("c"))];
    assert.deepEqual(ids(published), [41, 42, 43]);
    assert.deepEqual(seen, [41, 42, 43]);
    assert.equal(bus.lastId, 43);
  });

  test("an event carries exactly the notice's fields, frozen", () => {
    const bus = new ChangeEventBus();
    const extra = { ...notice("a"), value: "must-not-travel" } as ChangeNotice;
    const event = bus.publish(extra);
    assert.deepEqual(Object.keys(event).sort(), [
      "arn",
      "eventTime",
      "id",
      "name",
      "operation",
      "region",
      "versionId",
    ]);
    assert.ok(Object.isFrozen(event));
    const deleted = bus.publish(notice("a", { operation: "DeleteSecret", versionId: undefined }));
    assert.equal("versionId" in deleted, false);
  });

  test("resume replays what came after the id; nothing after the newest id", () => {
    const bus = new ChangeEventBus({ capacity: 10 });
    for (const name of ["a", "b", "c", "d"]) bus.publish(notice(name));
    assert.deepEqual(ids(bus.eventsAfter(0)), [1, 2, 3, 4]);
    assert.deepEqual(ids(bus.eventsAfter(2)), [3, 4]);
    assert.deepEqual(ids(bus.eventsAfter(4)), []);
    const live: number[] = [];
    const subscription = bus.subscribe((e) => live.push(e.id), 2);
    assert.deepEqual(subscription.resume.kind === "replay" && ids(subscription.resume.events), [3, 4]);
    assert.equal(subscription.lastId, 4);
    bus.publish(notice("e"));
    assert.deepEqual(live, [5]);
  });

  test("the ring buffer keeps the newest `capacity` events; older resume points reset", () => {
    const bus = new ChangeEventBus({ capacity: 3 });
    for (let i = 0; i < 7; i++) bus.publish(notice(`s${i}`));
    // Kept: 5, 6, 7.
    assert.deepEqual(ids(bus.eventsAfter(4)), [5, 6, 7]);
    assert.deepEqual(ids(bus.eventsAfter(6)), [7]);
    assert.equal(bus.eventsAfter(3), undefined);
    assert.equal(bus.eventsAfter(0), undefined);
    assert.deepEqual(
      bus.eventsAfter(4)?.map((e) => e.name),
      ["s4", "s5", "s6"],
    );
    const subscription = bus.subscribe(() => {}, 1);
    assert.equal(subscription.resume.kind, "reset");
    assert.equal(subscription.lastId, 7);
  });

  test("ids from the future or from an earlier run (below firstId) reset", () => {
    const bus = new ChangeEventBus({ firstId: 1_000_000 });
    assert.deepEqual(ids(bus.eventsAfter(999_999)), []);
    assert.equal(bus.eventsAfter(999_998), undefined);
    assert.equal(bus.eventsAfter(42), undefined);
    bus.publish(notice("a"));
    assert.deepEqual(ids(bus.eventsAfter(999_999)), [1_000_000]);
    assert.equal(bus.eventsAfter(1_000_001), undefined);
    assert.equal(bus.eventsAfter(Number.NaN), undefined);
    assert.equal(bus.eventsAfter(1.5), undefined);
  });

  test("subscribe without a resume point replays nothing", () => {
    const bus = new ChangeEventBus();
    bus.publish(notice("a"));
    const subscription = bus.subscribe(() => {});
    assert.deepEqual(subscription.resume, { kind: "replay", events: [] });
  });

  test("unsubscribe stops delivery; a throwing listener harms neither the others nor the publisher", () => {
    const errors: unknown[] = [];
    const bus = new ChangeEventBus({ onListenerError: (e) => errors.push(e) });
    const a: number[] = [];
    const b: number[] = [];
    const subA = bus.subscribe((e) => a.push(e.id));
    bus.subscribe(() => {
      throw new Error("boom");
    });
    bus.subscribe((e) => b.push(e.id));
    assert.equal(bus.subscriberCount, 3);
    bus.publish(notice("a"));
    subA.unsubscribe();
    subA.unsubscribe();
    bus.publish(notice("b"));
    assert.deepEqual(a, [1]);
    assert.deepEqual(b, [1, 2]);
    assert.equal(errors.length, 2);
    assert.equal(bus.subscriberCount, 2);
  });

  test("a listener that unsubscribes another during delivery: the other gets nothing more", () => {
    const bus = new ChangeEventBus();
    const second: number[] = [];
    let subB: { unsubscribe(): void } | undefined;
    bus.subscribe(() => subB?.unsubscribe());
    subB = bus.subscribe((e) => second.push(e.id));
    bus.publish(notice("a"));
    assert.deepEqual(second, []);
  });

  test("rejects nonsense options", () => {
    assert.throws(() => new ChangeEventBus({ capacity: 0 }), RangeError);
    assert.throws(() => new ChangeEventBus({ firstId: 0 }), RangeError);
    assert.throws(() => new ChangeEventBus({ firstId: 2 ** 53 }), RangeError);
  });
});

describe("SecretWriter publishes after each committed change", { skip }, () => {
  /** A writer over fresh stores, closed when `t` ends. */
  async function domain(t: TestContext) {
    const opened = await openTestStores();
    t.after(() => opened.close());
    let now = Date.UTC(2026, 0, 1);
    const keyring = openKeyring({
      home: "/nonexistent",
      masterKeyBase64: randomBytes(32).toString("base64"),
    });
    const bus = new ChangeEventBus();
    const events: ChangeEvent[] = [];
    bus.subscribe((e) => events.push(e));
    const deps: SecretDomainDeps = {
      store: opened.stores.secrets,
      envelope: createEnvelope(keyring),
      accountId: "123456789012",
      now: () => now,
      newVersionId: randomUUID,
      newArnSuffix: randomArnSuffix,
      changes: bus,
    };
    return {
      writer: new SecretWriter(deps),
      events,
      advance: (ms: number) => {
        now += ms;
      },
      now: () => now,
    };
  }
  const scope = { region: "eu-west-1" };
  const text = (s: string) => ({ kind: "string" as const, bytes: Buffer.from(s) });

  test("every operation, with the AWSCURRENT holder after it, and never a value", async (t) => {
    const { writer, events, advance, now } = await domain(t);
    const canary = `canary-${randomUUID()}`;
    const created = await writer.create(scope, { name: "app/db", value: text(canary) });
    const v1 = created.versionId;
    const put = await writer.putValue(scope, { secretId: "app/db", value: text(`${canary}-2`) });
    const pending = await writer.putValue(scope, {
      secretId: "app/db",
      value: text(`${canary}-3`),
      stages: ["AWSPENDING"],
    });
    await writer.update(scope, { secretId: created.arn, description: "the database" });
    const updated = await writer.update(scope, { secretId: "app/db", value: text(`${canary}-4`) });
    await writer.updateVersionStage(scope, {
      secretId: "app/db",
      stage: "AWSCURRENT",
      moveToVersionId: pending.versionId,
      removeFromVersionId: updated.versionId as string,
    });
    await writer.tag(scope, "app/db", [{ Key: "team", Value: "core" }]);
    await writer.untag(scope, "app/db", ["team"]);
    await writer.delete(scope, { secretId: "app/db", recoveryWindowInDays: 7 });
    await writer.restore(scope, "app/db");
    advance(1000);
    await writer.delete(scope, { secretId: "app/db", forceDeleteWithoutRecovery: true });

    assert.deepEqual(
      events.map((e) => [e.operation, e.versionId]),
      [
        ["CreateSecret", v1],
        ["PutSecretValue", put.versionId],
        // Staged AWSPENDING only: AWSCURRENT stays where it was.
        ["PutSecretValue", put.versionId],
        ["UpdateSecret", put.versionId],
        ["UpdateSecret", updated.versionId],
        ["UpdateSecretVersionStage", pending.versionId],
        ["TagResource", pending.versionId],
        ["UntagResource", pending.versionId],
        ["DeleteSecret", undefined],
        ["RestoreSecret", pending.versionId],
        ["DeleteSecret", undefined],
      ],
    );
    assert.deepEqual(
      events.map((e) => e.id),
      events.map((_, i) => i + 1),
    );
    for (const event of events) {
      assert.equal(event.arn, created.arn);
      assert.equal(event.name, "app/db");
      assert.equal(event.region, "eu-west-1");
      assert.ok(!JSON.stringify(event).includes("canary"));
    }
    assert.equal(events.at(-1)?.eventTime, now());
  });

  test("a secret created without a value has no current version; no-op retries publish nothing", async (t) => {
    const { writer, events } = await domain(t);
    await writer.create(scope, { name: "empty" });
    assert.deepEqual(
      events.map((e) => [e.operation, e.versionId]),
      [["CreateSecret", undefined]],
    );
    const token = randomUUID();
    await writer.create(scope, { name: "tok", value: text("x"), clientRequestToken: token });
    await writer.create(scope, { name: "tok", value: text("x"), clientRequestToken: token });
    await writer.putValue(scope, { secretId: "tok", value: text("x"), clientRequestToken: token });
    await writer.restore(scope, "tok");
    assert.equal(events.length, 2);
  });

  test("failed writes publish nothing", async (t) => {
    const { writer, events } = await domain(t);
    await writer.create(scope, { name: "one", value: text("x") });
    await assert.rejects(writer.create(scope, { name: "one", value: text("y") }));
    await assert.rejects(writer.putValue(scope, { secretId: "missing", value: text("y") }));
    await assert.rejects(writer.putValue({ region: "us-east-1" }, { secretId: "one", value: text("y") }));
    assert.equal(events.length, 1);
  });

  test("the purge sweep publishes Purge with the name and region taken from the ARN", async (t) => {
    const { writer, events, advance } = await domain(t);
    const { arn } = await writer.create(scope, { name: "team/old-key", value: text("x") });
    await writer.delete(scope, { secretId: "team/old-key", recoveryWindowInDays: 7 });
    advance(8 * 86_400_000);
    assert.equal(await writer.purgeDue(), 1);
    const last = events.at(-1);
    assert.deepEqual(
      last && { arn: last.arn, name: last.name, region: last.region, op: last.operation, v: last.versionId },
      { arn, name: "team/old-key", region: "eu-west-1", op: "Purge", v: undefined },
    );
  });

  test("a publisher that throws does not fail the committed write", async (t) => {
    const opened = await openTestStores();
    t.after(() => opened.close());
    let now = Date.UTC(2026, 0, 1);
    const keyring = openKeyring({
      home: "/nonexistent",
      masterKeyBase64: randomBytes(32).toString("base64"),
    });
    const writer = new SecretWriter({
      store: opened.stores.secrets,
      envelope: createEnvelope(keyring),
      accountId: "123456789012",
      now: () => now++,
      newVersionId: randomUUID,
      newArnSuffix: randomArnSuffix,
      changes: {
        publish() {
          throw new Error("feed down");
        },
      },
    });
    const created = await writer.create(scope, { name: "still-works", value: text("x") });
    assert.ok(created.versionId);
  });
});
