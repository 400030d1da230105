import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { type TestContext, test } from "node:test";
import {
  day,
  flakyArn,
  hour,
  rotationDomain,
  scope,
  text,
} from "../../storage/sqlite/rotation-fixture.test-helper.js";
import { openTestStores, requireTestStores } from "../../storage/test-stores.test-helper.js";
import { randomPasswordRotatorArn } from "./builtin-rotators.js";
import { RotationScheduler } from "./scheduler.js";

const { skip } = requireTestStores();

/** The rotation domain over fresh stores, closed when `t` ends; `data` reaches the rows directly. */
async function domain(t: TestContext, options: { start?: number } = {}) {
  const data = await openTestStores();
  t.after(() => data.close());
  return Object.assign(rotationDomain({ ...options, stores: data.stores }), { data });
}

test("RotateSecret with the built-in: four steps, AWSCURRENT moves, AWSPREVIOUS follows, AWSPENDING goes", {
  skip,
}, async (t) => {
  const d = await domain(t);
  const created = await d.writer.create(scope, {
    name: "db",
    value: text('{"username":"app","password":"old"}'),
  });
  const rotated = await d.service.rotate(scope, {
    secretId: "db",
    rotationLambdaArn: randomPasswordRotatorArn,
    rotationRules: { automaticallyAfterDays: 30 },
    externalMetadata: [{ Key: "PasswordLength", Value: "40" }],
  });
  await d.service.settled();
  const labels = await d.labels("db");
  assert.deepEqual(labels, {
    [rotated.versionId]: ["AWSCURRENT"],
    [created.versionId as string]: ["AWSPREVIOUS"],
  });
  const value = JSON.parse(await d.value("db"));
  assert.equal(value.username, "app");
  assert.equal(value.password.length, 40);
  assert.equal(JSON.parse(await d.value("db", { versionStage: "AWSPREVIOUS" })).password, "old");
  const { secret } = await d.reader.describe(scope, "db");
  assert.equal(secret.rotation?.enabled, true);
  assert.equal(secret.rotation?.lastRotatedAt, d.now());
  assert.equal(secret.rotation?.nextRotationAt, Date.UTC(2026, 0, 31));
  assert.equal(secret.rotation?.run?.outcome, "succeeded");
  const steps = d.audit.filter((e) => e.event === "RotationStep").map((e) => `${e.step}:${e.outcome}`);
  assert.deepEqual(steps, [
    "createSecret:started",
    "createSecret:succeeded",
    "setSecret:started",
    "setSecret:succeeded",
    "testSecret:started",
    "testSecret:succeeded",
    "finishSecret:started",
    "finishSecret:succeeded",
  ]);
  assert.deepEqual(
    d.audit.map((e) => e.event).filter((e) => e !== "RotationStep"),
    ["RotationStarted", "RotationSucceeded"],
  );
});

test("a failing step leaves AWSCURRENT alone and AWSPENDING in place; the next RotateSecret is refused as AWS refuses it", {
  skip,
}, async (t) => {
  const d = await domain(t);
  const created = await d.writer.create(scope, { name: "db", value: text("old") });
  d.failing.add("testSecret");
  const rotated = await d.service.rotate(scope, { secretId: "db", rotationLambdaArn: flakyArn });
  await d.service.settled();
  assert.deepEqual(await d.labels("db"), {
    [created.versionId as string]: ["AWSCURRENT"],
    [rotated.versionId]: ["AWSPENDING"],
  });
  assert.equal(await d.value("db"), "old");
  const { secret } = await d.reader.describe(scope, "db");
  assert.equal(secret.rotation?.run?.outcome, "failed");
  assert.equal(secret.rotation?.run?.step, "testSecret");
  assert.equal(secret.rotation?.run?.message, "testSecret failed on purpose");
  assert.ok(d.audit.some((e) => e.event === "RotationFailed" && e.step === "testSecret"));
  await assert.rejects(d.service.rotate(scope, { secretId: "db" }), {
    name: "InvalidRequestException",
    message: "A previous rotation isn't complete. That rotation will be reattempted.",
  });
});

test("RotateImmediately=false runs testSecret only, on a copy of AWSCURRENT it then removes", {
  skip,
}, async (t) => {
  const d = await domain(t);
  const created = await d.writer.create(scope, { name: "db", value: text("same") });
  await d.service.rotate(scope, {
    secretId: "db",
    rotationLambdaArn: flakyArn,
    rotationRules: { automaticallyAfterDays: 7 },
    rotateImmediately: false,
  });
  await d.service.settled();
  assert.deepEqual(
    d.invoked.map((e) => e.Step),
    ["testSecret"],
  );
  const state = await d.reader.describe(scope, "db");
  assert.deepEqual(
    state.versions.map((v) => v.versionId),
    [created.versionId],
  );
  assert.equal(state.secret.rotation?.enabled, true);
  assert.equal(state.secret.rotation?.lastRotatedAt, undefined);
  assert.equal(state.secret.rotation?.nextRotationAt, Date.UTC(2026, 0, 8));
});

test("RotateSecret answers AWS's errors and changes nothing", { skip }, async (t) => {
  const d = await domain(t);
  await d.writer.create(scope, { name: "db", value: text("v") });
  await assert.rejects(d.service.rotate(scope, { secretId: "db" }), {
    name: "InvalidRequestException",
    message: /doesn't already have a Lambda function ARN configured/,
  });
  await assert.rejects(
    d.service.rotate(scope, {
      secretId: "db",
      rotationLambdaArn: "arn:aws:lambda:us-east-1:1:function:nothing",
    }),
    { name: "ResourceNotFoundException" },
  );
  await assert.rejects(
    d.service.rotate(scope, { secretId: "db", rotationLambdaArn: "arn:coffer:rotation:::builtin/nope" }),
    { name: "ResourceNotFoundException" },
  );
  await assert.rejects(
    d.service.rotate(scope, {
      secretId: "db",
      rotationLambdaArn: randomPasswordRotatorArn,
      externalMetadata: [{ Key: "Colour", Value: "red" }],
    }),
    { name: "InvalidParameterException" },
  );
  await assert.rejects(
    d.service.rotate(scope, {
      secretId: "db",
      rotationLambdaArn: randomPasswordRotatorArn,
      rotationRules: { automaticallyAfterDays: 3, scheduleExpression: "rate(3 days)" },
    }),
    { name: "InvalidParameterException" },
  );
  await assert.rejects(
    d.service.rotate(scope, {
      secretId: "db",
      rotationLambdaArn: randomPasswordRotatorArn,
      rotationRules: { scheduleExpression: "rate(2 hours)" },
    }),
    { name: "InvalidParameterException" },
  );
  const { secret, versions } = await d.reader.describe(scope, "db");
  assert.equal(secret.rotation, undefined);
  assert.equal(versions.length, 1);
  assert.deepEqual(d.audit, []);
});

test("CancelRotateSecret turns rotation off, keeps labels, and names the pending version", {
  skip,
}, async (t) => {
  const d = await domain(t);
  await d.writer.create(scope, { name: "db", value: text("v") });
  await assert.rejects(d.service.cancel(scope, "db"), { name: "InvalidRequestException" });
  d.failing.add("setSecret");
  const rotated = await d.service.rotate(scope, {
    secretId: "db",
    rotationLambdaArn: flakyArn,
    rotationRules: { automaticallyAfterDays: 1 },
  });
  await d.service.settled();
  const cancelled = await d.service.cancel(scope, "db");
  assert.equal(cancelled.versionId, rotated.versionId);
  const { secret } = await d.reader.describe(scope, "db");
  assert.equal(secret.rotation?.enabled, false);
  assert.equal(secret.rotation?.nextRotationAt, undefined);
  assert.equal(secret.rotation?.lambdaArn, flakyArn);
});

test("the scheduler runs a due rotation inside its window, once, and reattempts a stuck one with its token", {
  skip,
}, async (t) => {
  const d = await domain(t, { start: Date.UTC(2026, 0, 1, 12) });
  await d.writer.create(scope, { name: "db", value: text("v0") });
  await d.service.rotate(scope, {
    secretId: "db",
    rotationLambdaArn: flakyArn,
    rotationRules: { automaticallyAfterDays: 1, duration: "4h" },
  });
  await d.service.settled();
  assert.equal(await d.scheduler.tick(), 0, "nothing is due yet");
  d.setNow(Date.UTC(2026, 0, 2, 1)); // inside the window 00:00–04:00 of the next day
  d.failing.add("createSecret");
  assert.equal(await d.scheduler.tick(), 1);
  const stuck = Object.entries(await d.labels("db")).find(([, s]) => s.includes("AWSPENDING"))?.[0];
  assert.ok(stuck);
  d.failing.clear();
  d.advance(hour);
  assert.equal(await d.scheduler.tick(), 1);
  assert.deepEqual((await d.labels("db"))[stuck], ["AWSCURRENT"]);
  const { secret } = await d.reader.describe(scope, "db");
  assert.equal(secret.rotation?.nextRotationAt, Date.UTC(2026, 0, 3));
  assert.equal(await d.scheduler.tick(), 0, "a rotated secret is not due again");
});

test("a window that passed with no server running is skipped to the next one, not rotated late", {
  skip,
}, async (t) => {
  const d = await domain(t, { start: Date.UTC(2026, 0, 1, 12) });
  await d.writer.create(scope, { name: "db", value: text("v0") });
  await d.service.rotate(scope, {
    secretId: "db",
    rotationLambdaArn: flakyArn,
    rotationRules: { scheduleExpression: "cron(0 2 * * ? *)", duration: "2h" },
  });
  await d.service.settled();
  d.invoked.length = 0;
  d.setNow(Date.UTC(2026, 0, 2, 5));
  assert.equal(await d.scheduler.tick(), 0);
  assert.deepEqual(d.invoked, []);
  const { secret } = await d.reader.describe(scope, "db");
  assert.equal(secret.rotation?.nextRotationAt, Date.UTC(2026, 0, 3, 2));
  assert.ok(d.audit.some((e) => e.event === "RotationAbandoned"));
});

test("of two nodes sharing a store, exactly one runs a due rotation", { skip }, async (t) => {
  const d = await domain(t, { start: Date.UTC(2026, 0, 1, 12) });
  await d.writer.create(scope, { name: "db", value: text("v0") });
  await d.service.rotate(scope, {
    secretId: "db",
    rotationLambdaArn: flakyArn,
    rotationRules: { automaticallyAfterDays: 1 },
  });
  await d.service.settled();
  d.invoked.length = 0;
  d.setNow(Date.UTC(2026, 0, 2, 1));
  const nodes = ["node-a", "node-b", "node-c"].map(
    (nodeId) =>
      new RotationScheduler({
        schedule: d.stores.rotation,
        rotations: d.service,
        now: d.now,
        nodeId,
        leaseMs: 60_000,
      }),
  );
  const ran = await Promise.all(nodes.map((node) => node.tick()));
  assert.deepEqual(ran.sort(), [0, 0, 1]);
  assert.deepEqual(
    d.invoked.map((e) => e.Step),
    ["createSecret", "setSecret", "testSecret", "finishSecret"],
  );
  // A lease another node holds (and has not let expire) keeps the secret from every other node.
  const { secret } = await d.reader.describe(scope, "db");
  d.setNow(Date.UTC(2026, 0, 3, 1));
  assert.equal(await d.stores.rotation.claim(secret.arn, "node-z", d.now(), 60_000), true);
  assert.equal(await nodes[0]?.tick(), 0);
  d.advance(60_000);
  assert.equal(await nodes[0]?.tick(), 1, "an expired lease is taken over");
});

test("days from day: AutomaticallyAfterDays counts from the last rotation; a secret's rotation survives a new store object", {
  skip,
}, async (t) => {
  const d = await domain(t, { start: Date.UTC(2026, 0, 1, 23) });
  await d.writer.create(scope, { name: "db", value: text("v0") });
  await d.service.rotate(scope, {
    secretId: "db",
    rotationLambdaArn: randomPasswordRotatorArn,
    rotationRules: { automaticallyAfterDays: 2 },
  });
  await d.service.settled();
  const due = await d.stores.rotation.listDue(Date.UTC(2026, 0, 3) + day, 10);
  assert.equal(due.length, 1);
  assert.deepEqual(await d.stores.rotation.listDue(Date.UTC(2026, 0, 3) - 1, 10), []);
});

test("a rotation function named by an edited row (not as sealed) never runs", { skip }, async (t) => {
  const d = await domain(t, { start: Date.UTC(2026, 0, 1, 12) });
  await d.writer.create(scope, { name: "db", value: text("v0") });
  await d.service.rotate(scope, {
    secretId: "db",
    rotationLambdaArn: randomPasswordRotatorArn,
    rotationRules: { automaticallyAfterDays: 1 },
  });
  await d.service.settled();
  // The rotation column is text (JSON) on both engines: the function's ARN is swapped in place.
  await d.data.rawSql("UPDATE secrets SET rotation = replace(rotation, $1, $2)", [
    randomPasswordRotatorArn,
    flakyArn,
  ]);
  d.setNow(Date.UTC(2026, 0, 2, 1));
  assert.equal(await d.scheduler.tick(), 0);
  await assert.rejects(d.service.rotate(scope, { secretId: "db" }), { name: "DecryptionFailure" });
  assert.deepEqual(d.invoked, []);
});

test("two RotateSecret calls at once on one secret: one starts, the other is refused", {
  skip,
}, async (t) => {
  const d = await domain(t);
  await d.writer.create(scope, { name: "db", value: text("v0") });
  const request = { secretId: "db", rotationLambdaArn: randomPasswordRotatorArn };
  const outcomes = await Promise.allSettled([
    d.service.rotate(scope, request),
    d.service.rotate(scope, request),
  ]);
  await d.service.settled();
  assert.deepEqual(outcomes.map((o) => o.status).sort(), ["fulfilled", "rejected"]);
  const refused = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
  assert.equal(
    refused.reason.message,
    "A previous rotation isn't complete. That rotation will be reattempted.",
  );
  assert.equal(d.audit.filter((e) => e.event === "RotationSucceeded").length, 1);
});

test("due work survives a restart: a new process over the same data finds and runs it", {
  skip,
}, async (t) => {
  const data = await openTestStores();
  t.after(() => data.close());
  const masterKey = randomBytes(32).toString("base64");
  const first = rotationDomain({ stores: data.stores, masterKey, start: Date.UTC(2026, 0, 1, 12) });
  await first.writer.create(scope, { name: "db", value: text("v0") });
  await first.service.rotate(scope, {
    secretId: "db",
    rotationLambdaArn: randomPasswordRotatorArn,
    rotationRules: { automaticallyAfterDays: 1 },
  });
  await first.service.settled();
  const before = await first.value("db");
  await data.stores.close();

  const second = rotationDomain({
    stores: await data.openAnother(),
    masterKey,
    start: Date.UTC(2026, 0, 2, 3),
  });
  assert.equal(await second.scheduler.tick(), 1);
  assert.notEqual(await second.value("db"), before);
  assert.equal(await second.value("db", { versionStage: "AWSPREVIOUS" }), before);
});

test("CancelRotateSecret during a run stops it between steps; a cancelled configuration test leaves nothing", {
  skip,
}, async (t) => {
  const d = await domain(t);
  const created = await d.writer.create(scope, { name: "db", value: text("v0") });
  d.onStep = async (step) => {
    if (step === "setSecret") await d.service.cancel(scope, "db");
  };
  const rotated = await d.service.rotate(scope, { secretId: "db", rotationLambdaArn: flakyArn });
  await d.service.settled();
  assert.deepEqual(
    d.invoked.map((e) => e.Step),
    ["createSecret", "setSecret"],
  );
  assert.deepEqual(await d.labels("db"), {
    [created.versionId as string]: ["AWSCURRENT"],
    [rotated.versionId]: ["AWSPENDING"],
  });
  const { secret } = await d.reader.describe(scope, "db");
  assert.equal(secret.rotation?.run?.outcome, "cancelled");
  assert.ok(d.audit.some((e) => e.event === "RotationAbandoned"));

  const e = await domain(t);
  const first = await e.writer.create(scope, { name: "db", value: text("v0") });
  e.onStep = async () => {
    await e.service.cancel(scope, "db");
  };
  await e.service.rotate(scope, { secretId: "db", rotationLambdaArn: flakyArn, rotateImmediately: false });
  await e.service.settled();
  const state = await e.reader.describe(scope, "db");
  assert.deepEqual(
    state.versions.map((v) => v.versionId),
    [first.versionId],
  );
  assert.equal(state.secret.rotation?.enabled, false);
});
