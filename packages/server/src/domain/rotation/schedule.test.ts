import assert from "node:assert/strict";
import { test } from "node:test";
import { nextRotationWindow, parseRotationRules, windowAt } from "./schedule.js";

const at = (iso: string) => Date.parse(iso);
const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
const next = (rules: Parameters<typeof parseRotationRules>[0], base: string) => {
  const w = nextRotationWindow(parseRotationRules(rules), at(base));
  return w && [iso(w.start), iso(w.end)];
};

test("AutomaticallyAfterDays and rate(N days): a window from midnight to the end of that UTC day, or Duration", () => {
  assert.deepEqual(next({ automaticallyAfterDays: 30 }, "2026-01-01T15:00:00Z"), [
    "2026-01-31T00:00:00.000Z",
    "2026-02-01T00:00:00.000Z",
  ]);
  assert.deepEqual(next({ scheduleExpression: "rate(1 day)", duration: "3h" }, "2026-01-01T15:00:00Z"), [
    "2026-01-02T00:00:00.000Z",
    "2026-01-02T03:00:00.000Z",
  ]);
});

test("rate(N hours): every N hours on the hour, a one-hour window by default", () => {
  assert.deepEqual(next({ scheduleExpression: "rate(6 hours)" }, "2026-01-01T15:30:00Z"), [
    "2026-01-01T21:00:00.000Z",
    "2026-01-01T22:00:00.000Z",
  ]);
});

test("cron(): the next matching hour; a daily cron's window ends with the day unless Duration says less", () => {
  assert.deepEqual(next({ scheduleExpression: "cron(0 4 ? * SUN *)" }, "2026-12-03T20:00:00Z"), [
    "2026-12-06T04:00:00.000Z",
    "2026-12-07T00:00:00.000Z",
  ]);
  assert.deepEqual(
    next({ scheduleExpression: "cron(0 16 L * ? *)", duration: "2h" }, "2026-02-01T00:00:00Z"),
    ["2026-02-28T16:00:00.000Z", "2026-02-28T18:00:00.000Z"],
  );
  assert.deepEqual(
    next({ scheduleExpression: "cron(0 0 ? * MON#1 *)" }, "2026-01-01T00:00:00Z")?.[0],
    "2026-01-05T00:00:00.000Z",
  );
  assert.deepEqual(next({ scheduleExpression: "cron(0 8/8 * * ? *)" }, "2026-01-01T09:00:00Z"), [
    "2026-01-01T16:00:00.000Z",
    "2026-01-01T17:00:00.000Z",
  ]);
  assert.deepEqual(
    next({ scheduleExpression: "cron(0 1 1,15 JAN-MAR ? *)" }, "2026-03-20T00:00:00Z")?.[0],
    "2027-01-01T01:00:00.000Z",
  );
});

test("the window a NextRotationDate opens", () => {
  const rules = parseRotationRules({ automaticallyAfterDays: 2, duration: "4h" });
  assert.deepEqual(windowAt(rules, at("2026-01-03T00:00:00Z")), {
    start: at("2026-01-03T00:00:00Z"),
    end: at("2026-01-03T04:00:00Z"),
  });
});

test("rules AWS refuses are refused with InvalidParameterException", () => {
  const refused = [
    { automaticallyAfterDays: 0 },
    { automaticallyAfterDays: 1001 },
    { automaticallyAfterDays: 3, scheduleExpression: "rate(3 days)" },
    {},
    { scheduleExpression: "rate(3 hours)" },
    { scheduleExpression: "rate(1000 days)" },
    { scheduleExpression: "rate(3 weeks)" },
    { scheduleExpression: "cron(30 4 * * ? *)" },
    { scheduleExpression: "cron(0 4 * * ? 2027)" },
    { scheduleExpression: "cron(0 4 * * * *)" },
    { scheduleExpression: "cron(0 24 * * ? *)" },
    { scheduleExpression: "cron(0 4 * *)" },
    { scheduleExpression: "every day" },
    { scheduleExpression: "rate(6 hours)", duration: "7h" },
    { scheduleExpression: "cron(0 20 * * ? *)", duration: "5h" },
    { automaticallyAfterDays: 1, duration: "25h" },
    { automaticallyAfterDays: 1, duration: "0h" },
  ];
  for (const rules of refused) {
    assert.throws(
      () => parseRotationRules(rules),
      { name: "InvalidParameterException" },
      JSON.stringify(rules),
    );
  }
});
