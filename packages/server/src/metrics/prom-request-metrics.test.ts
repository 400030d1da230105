import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { parseExposition } from "./exposition.test-helper.js";
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

/** Sample values by their label values joined with `|` (`secretsmanager|GetSecretValue|ok`). */
function byLabels(text: string, metric: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of parseExposition(text).samples) {
    if (!key.startsWith(`${metric}{`)) continue;
    const values = [...key.matchAll(/="([^"]*)"/g)].map((m) => m[1]);
    out[values.join("|")] = value;
  }
  return out;
}

describe("request metrics", () => {
  test("count each request once by API, operation and outcome, and time it by result class", () => {
    const { families, metrics } = setUp();
    metrics.requestDone("GetSecretValue", "secretsmanager", 200, undefined, 0.0004);
    metrics.requestDone("GetSecretValue", "secretsmanager", 200, undefined, 0.002);
    metrics.requestDone("GetSecretValue", "secretsmanager", 400, "ResourceNotFoundException", 0.001);
    metrics.requestDone("GetSecretValue", "secretsmanager", 400, "AccessDeniedException", 0.001);
    metrics.requestDone("GetSecretValue", "secretsmanager", 403, "InvalidSignatureException", 0.001);
    metrics.requestDone("SubscribeToChanges", "secretsmanager", 200, undefined, 0.001);
    metrics.requestDone("CreateUser", "coffer", 500, "InternalServiceError", 0.01);
    assert.deepEqual(byLabels(families.requests.toText(), "requests_total"), {
      "secretsmanager|GetSecretValue|ok": 2,
      "secretsmanager|GetSecretValue|ResourceNotFoundException": 1,
      "secretsmanager|GetSecretValue|denied": 1,
      "secretsmanager|GetSecretValue|auth_failure": 1,
      "secretsmanager|SubscribeToChanges|ok": 1,
      "coffer|CreateUser|server_error": 1,
    });
    assert.deepEqual(byLabels(families.authFailures.toText(), "auth_failures_total"), {
      "secretsmanager|InvalidSignatureException": 1,
    });
    assert.deepEqual(byLabels(families.duration.toText(), "duration_seconds_count"), {
      "secretsmanager|GetSecretValue|ok": 2,
      "secretsmanager|GetSecretValue|client_error": 1,
      "secretsmanager|GetSecretValue|denied": 1,
      "secretsmanager|GetSecretValue|auth_failure": 1,
      "secretsmanager|SubscribeToChanges|ok": 1,
      "coffer|CreateUser|server_error": 1,
    });
  });

  test("an operation or API outside the registry is `unknown`, whatever the client sent", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.option(fc.string()), fc.string(), fc.integer({ min: 200, max: 599 })), {
          maxLength: 50,
        }),
        (calls) => {
          const { families, metrics } = setUp();
          for (const [operation, api, status] of calls) {
            const errorType = status >= 400 ? "ValidationException" : undefined;
            metrics.requestDone(operation ?? undefined, api, status, errorType, 0.001);
          }
          const allowedApis = new Set(["secretsmanager", "coffer", "unknown"]);
          const allowedOperations = new Set([
            "GetSecretValue",
            "CreateSecret",
            "SubscribeToChanges",
            "CreateUser",
            "unknown",
          ]);
          const requests = byLabels(families.requests.toText(), "requests_total");
          for (const key of Object.keys(requests)) {
            const [api, operation] = key.split("|");
            assert.ok(allowedApis.has(api as string), api);
            assert.ok(allowedOperations.has(operation as string), operation);
            if (api === "unknown") assert.equal(operation, "unknown");
          }
          const total = Object.values(requests).reduce((sum, n) => sum + n, 0);
          assert.equal(total, calls.length);
        },
      ),
    );
  });

  test("an operation of another API is not known under this one", () => {
    const { families, metrics } = setUp();
    metrics.requestDone("CreateUser", "secretsmanager", 200, undefined, 0.001);
    metrics.requestDone(undefined, "secretsmanager", 400, "UnknownOperationException", 0.001);
    assert.deepEqual(byLabels(families.requests.toText(), "requests_total"), {
      "secretsmanager|unknown|ok": 1,
      "secretsmanager|unknown|UnknownOperationException": 1,
    });
  });
});
