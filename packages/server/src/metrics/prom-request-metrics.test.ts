import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { PlainCounter } from "./plain-counter.js";
import { PlainHistogram } from "./plain-histogram.js";
import { createRequestMetrics, knownOperationsOf } from "./prom-request-metrics.js";

function setUp() {
  const families = {
    requests: new PlainCounter("requests_total", "h", ["api", "operation", "outcome"]),
    duration: new PlainHistogram("duration_seconds", "h", ["api", "operation", "result"]),
    authFailures: new PlainCounter("auth_failures_total", "h", ["api", "reason"]),
  };
  const known = knownOperationsOf(
    [
      {
        name: "secretsmanager",
        operations: new Map([
          ["GetSecretValue", {}],
          ["CreateSecret", {}],
        ]),
      },
      { name: "coffer", operations: new Map([["CreateUser", {}]]) },
    ],
    { secretsmanager: ["SubscribeToChanges"] },
  );
  return { families, metrics: createRequestMetrics(families, known) };
}

const counts = async (counter: PlainCounter) =>
  Object.fromEntries((await counter.get()).values.map((v) => [Object.values(v.labels).join("|"), v.value]));

describe("request metrics", () => {
  test("count each request once by API, operation and outcome, and time it by result class", async () => {
    const { families, metrics } = setUp();
    metrics.requestDone("GetSecretValue", "secretsmanager", 200, undefined, 0.0004);
    metrics.requestDone("GetSecretValue", "secretsmanager", 200, undefined, 0.002);
    metrics.requestDone("GetSecretValue", "secretsmanager", 400, "ResourceNotFoundException", 0.001);
    metrics.requestDone("GetSecretValue", "secretsmanager", 400, "AccessDeniedException", 0.001);
    metrics.requestDone("GetSecretValue", "secretsmanager", 403, "InvalidSignatureException", 0.001);
    metrics.requestDone("SubscribeToChanges", "secretsmanager", 200, undefined, 0.001);
    metrics.requestDone("CreateUser", "coffer", 500, "InternalServiceError", 0.01);
    assert.deepEqual(await counts(families.requests), {
      "secretsmanager|GetSecretValue|ok": 2,
      "secretsmanager|GetSecretValue|ResourceNotFoundException": 1,
      "secretsmanager|GetSecretValue|denied": 1,
      "secretsmanager|GetSecretValue|auth_failure": 1,
      "secretsmanager|SubscribeToChanges|ok": 1,
      "coffer|CreateUser|server_error": 1,
    });
    assert.deepEqual(await counts(families.authFailures), { "secretsmanager|InvalidSignatureException": 1 });
    const durations = (await families.duration.get()).values.filter(
      (v) => v.metricName === "duration_seconds_count",
    );
    assert.deepEqual(Object.fromEntries(durations.map((v) => [Object.values(v.labels).join("|"), v.value])), {
      "secretsmanager|GetSecretValue|ok": 2,
      "secretsmanager|GetSecretValue|client_error": 1,
      "secretsmanager|GetSecretValue|denied": 1,
      "secretsmanager|GetSecretValue|auth_failure": 1,
      "secretsmanager|SubscribeToChanges|ok": 1,
      "coffer|CreateUser|server_error": 1,
    });
  });

  test("an operation or API outside the registry is `unknown`, whatever the client sent", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.option(fc.string()), fc.string(), fc.integer({ min: 200, max: 599 })), {
          maxLength: 50,
        }),
        async (calls) => {
          const { families, metrics } = setUp();
          for (const [operation, api, status] of calls) {
            metrics.requestDone(
              operation ?? undefined,
              api,
              status,
              status >= 400 ? "ValidationException" : undefined,
              0.001,
            );
          }
          const allowedApis = new Set(["secretsmanager", "coffer", "unknown"]);
          const allowedOperations = new Set([
            "GetSecretValue",
            "CreateSecret",
            "SubscribeToChanges",
            "CreateUser",
            "unknown",
          ]);
          for (const { labels } of (await families.requests.get()).values) {
            assert.ok(allowedApis.has(labels.api as string), labels.api);
            assert.ok(allowedOperations.has(labels.operation as string), labels.operation);
            if (labels.api === "unknown") assert.equal(labels.operation, "unknown");
          }
          const total = (await families.requests.get()).values.reduce((sum, v) => sum + v.value, 0);
          assert.equal(total, calls.length);
        },
      ),
    );
  });

  test("an operation of another API is not known under this one", async () => {
    const { families, metrics } = setUp();
    metrics.requestDone("CreateUser", "secretsmanager", 200, undefined, 0.001);
    metrics.requestDone(undefined, "secretsmanager", 400, "UnknownOperationException", 0.001);
    assert.deepEqual(await counts(families.requests), {
      "secretsmanager|unknown|ok": 1,
      "secretsmanager|unknown|UnknownOperationException": 1,
    });
  });
});
