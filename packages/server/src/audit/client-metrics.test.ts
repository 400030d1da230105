import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ClientMetricsAggregator } from "./client-metrics.js";
import type { AuditEvent, JsonObject } from "./event.js";

function report(fields: {
  timeMs: number;
  caller: string;
  request: JsonObject | null;
  errorCode?: string;
  name?: string;
}): AuditEvent {
  const e: AuditEvent = {
    eventVersion: "1.08",
    userIdentity: { type: "IAMUser", arn: fields.caller, accountId: "123456789012", accessKeyId: "AKIA" },
    eventTime: new Date(fields.timeMs).toISOString(),
    eventSource: "secretsmanager.amazonaws.com",
    eventName: fields.name ?? "ReportClientMetrics",
    awsRegion: "us-east-1",
    sourceIPAddress: "127.0.0.1",
    userAgent: "",
    requestParameters: fields.request,
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
  return e;
}

const counts = fc.integer({ min: 0, max: 1_000_000_000 });
const reportArb = fc.record({
  timeMs: fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }),
  caller: fc.constantFrom("arn:aws:iam::123456789012:user/app", "arn:aws:iam::123456789012:user/agent"),
  clientId: fc.constantFrom("web-1", "web-2", "worker"),
  kind: fc.constantFrom("client", "agent"),
  coldStarts: counts,
  cacheHits: counts,
  cacheMisses: counts,
  failed: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

describe("ClientMetricsAggregator", () => {
  it("property: sums each (caller, client, kind)'s successful reports and keeps its latest time", () => {
    fc.assert(
      fc.property(fc.array(reportArb, { maxLength: 40 }), (reports) => {
        const aggregator = new ClientMetricsAggregator();
        for (const r of reports) {
          aggregator.add(
            report({
              timeMs: r.timeMs,
              caller: r.caller,
              request: {
                clientId: r.clientId,
                kind: r.kind,
                coldStarts: r.coldStarts,
                cacheHits: r.cacheHits,
                cacheMisses: r.cacheMisses,
                periodSeconds: 60,
              },
              ...(r.failed ? { errorCode: "AccessDeniedException" } : {}),
            }),
          );
        }
        const answer = aggregator.answer();
        const ok = reports.filter((r) => !r.failed);
        const keys = new Set(ok.map((r) => `${r.caller}|${r.clientId}|${r.kind}`));
        assert.equal(answer.length, keys.size);
        for (const entry of answer) {
          const mine = ok.filter(
            (r) => r.caller === entry.Caller && r.clientId === entry.ClientId && r.kind === entry.Kind,
          );
          assert.equal(
            entry.ColdStarts,
            mine.reduce((s, r) => s + r.coldStarts, 0),
          );
          assert.equal(
            entry.CacheHits,
            mine.reduce((s, r) => s + r.cacheHits, 0),
          );
          assert.equal(
            entry.CacheMisses,
            mine.reduce((s, r) => s + r.cacheMisses, 0),
          );
          assert.equal(entry.LastReportTime, Math.floor(Math.max(...mine.map((r) => r.timeMs)) / 1000));
        }
        for (let i = 1; i < answer.length; i++) {
          assert.ok((answer[i - 1]?.LastReportTime ?? 0) >= (answer[i]?.LastReportTime ?? 0));
        }
      }),
    );
  });

  it("ignores other operations, intents and reports without a client id", () => {
    const aggregator = new ClientMetricsAggregator();
    const base = { timeMs: 1_750_000_000_000, caller: "arn:aws:iam::1:user/x" };
    aggregator.add(report({ ...base, name: "GetSecretValue", request: { clientId: "a", kind: "client" } }));
    aggregator.add(report({ ...base, request: null }));
    aggregator.add(report({ ...base, request: { kind: "client", cacheHits: 3 } }));
    const intent = report({ ...base, request: { clientId: "a", kind: "client", cacheHits: 1 } });
    intent.additionalEventData = { auditPhase: "intent" };
    aggregator.add(intent);
    assert.deepEqual(aggregator.answer(), []);
  });
});
