import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { type TestContext, test } from "node:test";
import { createEnvelope } from "../../crypto/envelope.js";
import { openKeyring } from "../../crypto/keyring.js";
import { openTestStores, requireTestStores } from "../../storage/test-stores.test-helper.js";
import { randomArnSuffix } from "./arn.js";
import { SecretReader } from "./secret-reader.js";
import { SecretWriter } from "./secret-writer.js";

const { skip } = requireTestStores();
const scope = { region: "us-east-1" };
const day = 86_400_000;
const text = (s: string) => ({ kind: "string" as const, bytes: Buffer.from(s) });

async function domain(t: TestContext) {
  let now = Date.UTC(2026, 0, 1, 12);
  const keyring = openKeyring({ home: "/nonexistent", masterKeyBase64: randomBytes(32).toString("base64") });
  const opened = await openTestStores();
  t.after(() => opened.close());
  const deps = {
    store: opened.stores.secrets,
    envelope: createEnvelope(keyring),
    accountId: "123456789012",
    now: () => now,
    newVersionId: randomUUID,
    newArnSuffix: randomArnSuffix,
  };
  const reader = new SecretReader(deps);
  return {
    reader,
    /** GetSecretValue, then waits until the store recorded the read (it writes access days off the read path). */
    read: async (secretId: string) => {
      await reader.getValue(scope, { secretId });
      const today = now - (now % day);
      for (let turn = 0; turn < 1000; turn++) {
        if ((await reader.describe(scope, secretId)).secret.lastAccessedAt === today) return;
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.fail(`the read of ${secretId} was never recorded`);
    },
    writer: new SecretWriter(deps),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const names = (page: { secrets: Array<{ name: string }> }) => page.secrets.map((s) => s.name);

test("listIdle: never-read secrets and secrets whose last read day ended N days ago, least recently read first", {
  skip,
}, async (t) => {
  const { reader, read, writer, advance } = await domain(t);
  for (const name of ["never", "old", "recent", "today", "doomed"]) {
    await writer.create(scope, { name, value: text(`value-${name}`) });
  }
  await read("old"); // day 0, noon
  advance(5 * day);
  await read("recent"); // day 5
  advance(2 * day);
  await read("today"); // day 7
  await writer.delete(scope, { secretId: "doomed", recoveryWindowInDays: 7 });
  // Day 7, noon. "old" was read on day 0, whose last moment is 6.5 days ago.
  assert.deepEqual(names(await reader.listIdle(scope, { days: 7 })), ["never"]);
  assert.deepEqual(names(await reader.listIdle(scope, { days: 6 })), ["never", "old"]);
  // "recent" was read on day 5: that day ended 1.5 days ago.
  assert.deepEqual(names(await reader.listIdle(scope, { days: 1 })), ["never", "old", "recent"]);
  // Read today: never idle.
  advance(day / 2 - 1); // the last millisecond of day 7
  assert.ok(!names(await reader.listIdle(scope, { days: 1 })).includes("today"));
  advance(day + 1); // day 9 begins: day 7 ended a day ago
  assert.ok(names(await reader.listIdle(scope, { days: 1 })).includes("today"));
});

test("listIdle pages with NextToken, each secret once", { skip }, async (t) => {
  const { reader, writer } = await domain(t);
  const all = Array.from({ length: 7 }, (_, i) => `idle-${i}`);
  for (const name of all) await writer.create(scope, { name, value: text("x") });
  const seen: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await reader.listIdle(scope, { days: 1, maxResults: 3, nextToken });
    assert.ok(page.secrets.length <= 3);
    seen.push(...names(page));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  assert.deepEqual([...seen].sort(), all);
  await assert.rejects(reader.listIdle(scope, { days: 2, nextToken: "bogus" }), {
    name: "InvalidNextTokenException",
  });
});
