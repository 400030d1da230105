import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  ActivityAggregator,
  bucketCount,
  DEFAULT_BUCKETS,
  MAX_BUCKETS,
  MIN_PERIOD_SECONDS,
  nearestRank,
  periodFor,
  secretNameOf,
  TOP_N,
} from "./activity.js";
import { type AuditEvent, INTENT_PHASE } from "./event.js";

const ARN_PREFIX = "arn:aws:secretsmanager:us-east-1:123456789012:secret:";

function event(fields: {
  timeMs: number;
  name?: string;
  errorCode?: string | undefined;
  caller?: string;
  durationMs?: number | undefined;
  intent?: boolean;
  resources?: string[];
}): AuditEvent {
  const e: AuditEvent = {
    eventVersion: "1.08",
    userIdentity: { type: "IAMUser", arn: fields.caller ?? "", accountId: "123456789012", accessKeyId: "" },
    eventTime: new Date(fields.timeMs).toISOString(),
    eventSource: "secretsmanager.amazonaws.com",
    eventName: fields.name ?? "GetSecretValue",
    awsRegion: "us-east-1",
    sourceIPAddress: "127.0.0.1",
    userAgent: "",
    requestParameters: null,
    responseElements: null,
    requestID: "r",
    eventID: "e",
    readOnly: true,
    eventType: "AwsApiCall",
    managementEvent: true,
    eventCategory: "Management",
    recipientAccountId: "123456789012",
  };
  if (fields.errorCode !== undefined) e.errorCode = fields.errorCode;
  if (fields.intent) e.additionalEventData = { auditPhase: INTENT_PHASE };
  else if (fields.durationMs !== undefined) e.additionalEventData = { durationMs: fields.durationMs };
  if (fields.resources) {
    e.resources = fields.resources.map((arn) => ({
      ARN: arn,
      accountId: "123456789012",
      type: "AWS::SecretsManager::Secret",
    }));
  }
  return e;
}

describe("periodFor", () => {
  it("picks a round default of about 60 buckets, never under a minute", () => {
    assert.equal(periodFor(0, 3600), 60);
    assert.equal(periodFor(0, 6 * 3600), 600);
    assert.equal(periodFor(0, 24 * 3600), 1800);
    assert.equal(periodFor(0, 7 * 86_400), 10_800);
    assert.equal(periodFor(0, 10), 60);
  });

  it("raises an asked period under a minute to a minute, and refuses one that makes too many buckets", () => {
    assert.equal(periodFor(0, 3600, 5), 60);
    assert.equal(periodFor(0, 3600, 300), 300);
    assert.throws(() => periodFor(0, 86_400 * 30, 60), /43200 buckets; at most 1440 are answered/);
    assert.throws(() => periodFor(100, 100), /EndTime must be after StartTime/);
  });

  it("property: any range gets a period of at least a minute and at most MAX_BUCKETS aligned buckets", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000_000 }),
        fc.integer({ min: 1, max: 400_000_000 }),
        (start, span) => {
          const period = periodFor(start, start + span);
          assert.ok(period >= MIN_PERIOD_SECONDS);
          const buckets = bucketCount(start, start + span, period);
          assert.ok(buckets <= MAX_BUCKETS, `${buckets} buckets`);
          // A round default is no coarser than it needs to be: about DEFAULT_BUCKETS, give or take alignment.
          if (span >= DEFAULT_BUCKETS * MIN_PERIOD_SECONDS && span <= 60 * 86_400) {
            assert.ok(buckets >= DEFAULT_BUCKETS / 3, `${buckets} buckets for span ${span}`);
          }
        },
      ),
    );
  });
});

describe("nearestRank", () => {
  it("property: the smallest value with at least p% of the values at or below it", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }),
        fc.constantFrom(50, 95, 99, 100, 1),
        (values, p) => {
          const sorted = [...values].sort((a, b) => a - b);
          const value = nearestRank(sorted, p);
          const atOrBelow = sorted.filter((v) => v <= value).length;
          assert.ok(atOrBelow / sorted.length >= p / 100);
          const below = sorted.filter((v) => v < value).length;
          assert.ok(below / sorted.length < p / 100);
        },
      ),
    );
  });

  it("the median of 1..10 is 5 and its p95 is 10", () => {
    const sorted = Array.from({ length: 10 }, (_, i) => i + 1);
    assert.equal(nearestRank(sorted, 50), 5);
    assert.equal(nearestRank(sorted, 95), 10);
  });
});

const CALLERS = ["arn:aws:iam::123456789012:user/a", "arn:aws:iam::123456789012:user/b", ""];
const SECRETS = [`${ARN_PREFIX}db-AbC123`, `${ARN_PREFIX}api/key-XyZ789`];

const eventArb = (startMs: number, spanMs: number) =>
  fc.record({
    timeMs: fc.integer({ min: startMs - spanMs, max: startMs + 2 * spanMs }),
    name: fc.constantFrom("GetSecretValue", "BatchGetSecretValue", "ListSecrets", "PutSecretValue"),
    errorCode: fc.constantFrom(
      undefined,
      undefined,
      "AccessDeniedException",
      "InvalidSignatureException",
      "ResourceNotFoundException",
      "ThrottlingException",
    ),
    caller: fc.constantFrom(...CALLERS),
    durationMs: fc.option(fc.double({ min: 0, max: 5000, noNaN: true }), { nil: undefined }),
    intent: fc.oneof(
      { weight: 4, arbitrary: fc.constant(false) },
      { weight: 1, arbitrary: fc.constant(true) },
    ),
    resources: fc.subarray(SECRETS),
  });

describe("ActivityAggregator", () => {
  it("property: every outcome in range is counted once, in the bucket holding its time, as a naive count says", () => {
    fc.assert(
      fc.property(
        fc
          .record({
            startS: fc.integer({ min: 1_700_000_000, max: 1_800_000_000 }),
            span: fc.integer({ min: 60, max: 100_000 }),
            asked: fc.option(fc.integer({ min: 1, max: 5000 }), { nil: undefined }),
          })
          .chain(({ startS, span, asked }) =>
            fc.record({
              startS: fc.constant(startS),
              span: fc.constant(span),
              asked: fc.constant(asked),
              fields: fc.array(eventArb(startS * 1000, span * 1000), { maxLength: 80 }),
            }),
          ),
        ({ startS, span, asked, fields }) => {
          const endS = startS + span;
          // An asked period that would cut the range too fine is made coarser (that refusal is tested above).
          const period = periodFor(
            startS,
            endS,
            asked === undefined ? undefined : Math.max(asked, span / 1000),
          );
          const events = fields.map(event);
          const aggregator = new ActivityAggregator(startS, endS, period);
          for (const e of events) aggregator.add(e);
          const answer = aggregator.answer(false);
          const inRange = events.filter((e) => {
            const t = Date.parse(e.eventTime);
            return t >= startS * 1000 && t < endS * 1000 && e.additionalEventData?.auditPhase !== "intent";
          });
          assert.equal(answer.TotalRequests, inRange.length);
          assert.equal(
            answer.Buckets.reduce((sum, b) => sum + b.Requests, 0),
            inRange.length,
          );
          for (const [i, bucket] of answer.Buckets.entries()) {
            assert.equal(bucket.Time % period, 0);
            if (i > 0) assert.equal(bucket.Time - (answer.Buckets[i - 1]?.Time ?? 0), period);
            const mine = inRange.filter((e) => {
              const t = Date.parse(e.eventTime) / 1000;
              return t >= bucket.Time && t < bucket.Time + period;
            });
            assert.equal(bucket.Requests, mine.length);
            assert.equal(
              bucket.Denials,
              mine.filter((e) => /Denied|Signature/.test(e.errorCode ?? "")).length,
            );
            assert.equal(
              bucket.Errors,
              mine.filter((e) => e.errorCode !== undefined && !/Denied|Signature/.test(e.errorCode)).length,
            );
            const durations = mine
              .map((e) => e.additionalEventData?.durationMs)
              .filter((d): d is number => typeof d === "number")
              .sort((a, b) => a - b);
            if (durations.length === 0) {
              assert.equal(bucket.LatencyP50Ms, undefined);
              assert.equal(bucket.LatencyP95Ms, undefined);
            } else {
              assert.equal(bucket.LatencyP50Ms, nearestRank(durations, 50));
              assert.equal(bucket.LatencyP95Ms, nearestRank(durations, 95));
              assert.ok((bucket.LatencyP50Ms ?? 0) <= (bucket.LatencyP95Ms ?? 0));
            }
          }
          // The first bucket holds the start, the last one the end.
          assert.ok((answer.Buckets[0]?.Time ?? Number.NaN) <= startS);
          assert.ok((answer.Buckets.at(-1)?.Time ?? Number.NaN) + period >= endS);
          // Top lists: named callers only, successful reads of each secret.
          assert.ok(answer.TopCallers.length <= TOP_N);
          for (const top of answer.TopCallers) {
            assert.notEqual(top.Caller, "");
            const theirs = inRange.filter((e) => e.userIdentity.arn === top.Caller);
            assert.equal(top.Requests, theirs.length);
            assert.equal(
              top.Reads,
              theirs
                .filter((e) => e.errorCode === undefined && e.eventName.includes("GetSecretValue"))
                .reduce((sum, e) => sum + (e.resources?.length ?? 0), 0),
            );
          }
          for (const top of answer.TopSecrets) {
            const reads = inRange.filter(
              (e) =>
                e.errorCode === undefined &&
                e.eventName.includes("GetSecretValue") &&
                e.resources?.some((r) => r.ARN === top.SecretId),
            ).length;
            assert.equal(top.Reads, reads);
            assert.equal(top.Name, secretNameOf(top.SecretId));
          }
          for (let i = 1; i < answer.TopCallers.length; i++) {
            assert.ok((answer.TopCallers[i - 1]?.Requests ?? 0) >= (answer.TopCallers[i]?.Requests ?? 0));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("answers Truncated as told, and an empty range as empty buckets", () => {
    const aggregator = new ActivityAggregator(0, 600, 60);
    const answer = aggregator.answer(true);
    assert.equal(answer.Truncated, true);
    assert.equal(answer.Buckets.length, 10);
    assert.deepEqual(answer.Buckets[3], { Time: 180, Requests: 0, Errors: 0, Denials: 0 });
    assert.deepEqual(answer.TopCallers, []);
    assert.deepEqual(answer.TopSecrets, []);
  });
});

describe("secretNameOf", () => {
  it("drops the ARN's prefix and its six-character suffix", () => {
    assert.equal(secretNameOf(`${ARN_PREFIX}prod/db-AbC123`), "prod/db");
    assert.equal(secretNameOf(`${ARN_PREFIX}a-b-c-XyZ789`), "a-b-c");
  });
});
