import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CofferMetrics } from "./coffer-metrics.js";
import { parseExposition, sampleOf } from "./exposition.test-helper.js";

describe("Coffer's metrics registry", () => {
  test("exposes every Coffer metric, the audit queue, the read model and the process", async () => {
    const metrics = new CofferMetrics();
    metrics.auditCommitted({ events: 3, durationMs: 2 });
    metrics.observeAuditLog({
      queueDepth: () => ({ pending: 4, inFlight: 2 }),
      stats: () => ({ failedTransactions: 1 }),
    });
    metrics.observeReadModel(() => ({ hits: 7, misses: 2, entries: 5, bytes: 1234 }));
    const parsed = parseExposition(await metrics.scrape());
    assert.equal(sampleOf(parsed, "coffer_audit_events_written_total"), 3);
    assert.equal(sampleOf(parsed, "coffer_audit_write_duration_seconds_count"), 1);
    assert.equal(sampleOf(parsed, 'coffer_audit_write_duration_seconds_bucket{le="0.0025"}'), 1);
    assert.equal(sampleOf(parsed, 'coffer_audit_write_duration_seconds_bucket{le="0.001"}'), 0);
    assert.equal(sampleOf(parsed, 'coffer_audit_queue_events{state="pending"}'), 4);
    assert.equal(sampleOf(parsed, 'coffer_audit_queue_events{state="in_flight"}'), 2);
    assert.equal(sampleOf(parsed, "coffer_audit_write_failures_total"), 1);
    assert.equal(sampleOf(parsed, 'coffer_read_model_lookups_total{result="hit"}'), 7);
    assert.equal(sampleOf(parsed, 'coffer_read_model_lookups_total{result="miss"}'), 2);
    assert.equal(sampleOf(parsed, "coffer_read_model_entries"), 5);
    assert.equal(sampleOf(parsed, "coffer_read_model_bytes"), 1234);
    assert.ok(sampleOf(parsed, "process_resident_memory_bytes") > 0);
    assert.ok(parsed.samples.has("nodejs_eventloop_lag_seconds"));
    for (const name of [
      "coffer_requests_total",
      "coffer_request_duration_seconds",
      "coffer_auth_failures_total",
      "coffer_store_operation_duration_seconds",
      "coffer_rotations_total",
      "coffer_rotation_steps_total",
    ]) {
      assert.ok(parsed.types.has(name), name);
    }
    assert.match(metrics.contentType, /^text\/plain; version=0\.0\.4/);
  });

  test("counts rotation results and steps, with nothing but known values as labels", async () => {
    const metrics = new CofferMetrics({ defaultMetrics: false });
    metrics.rotationRecorded({ event: "RotationStarted" });
    metrics.rotationRecorded({ event: "RotationStep", step: "createSecret", outcome: "started" });
    metrics.rotationRecorded({ event: "RotationStep", step: "createSecret", outcome: "succeeded" });
    metrics.rotationRecorded({ event: "RotationStep", step: "setSecret", outcome: "failed" });
    metrics.rotationRecorded({ event: "RotationStep", step: "arn:aws:secretsmanager:x", outcome: "failed" });
    metrics.rotationRecorded({ event: "RotationFailed" });
    metrics.rotationRecorded({ event: "RotationSucceeded" });
    metrics.rotationRecorded({ event: "RotationSucceeded" });
    metrics.rotationRecorded({ event: "RotationAbandoned" });
    const text = await metrics.scrape();
    const parsed = parseExposition(text);
    assert.equal(sampleOf(parsed, 'coffer_rotations_total{result="succeeded"}'), 2);
    assert.equal(sampleOf(parsed, 'coffer_rotations_total{result="failed"}'), 1);
    assert.equal(sampleOf(parsed, 'coffer_rotations_total{result="abandoned"}'), 1);
    assert.equal(sampleOf(parsed, 'coffer_rotation_steps_total{step="createSecret",outcome="succeeded"}'), 1);
    assert.equal(sampleOf(parsed, 'coffer_rotation_steps_total{step="setSecret",outcome="failed"}'), 1);
    assert.ok(!text.includes("arn:"));
    assert.ok(!text.includes('outcome="started"'));
    assert.ok(!text.includes("process_resident_memory_bytes"), "default metrics off");
  });

  test("request metrics and store timing land in the registry", async () => {
    const metrics = new CofferMetrics({ defaultMetrics: false });
    const requests = metrics.requestMetrics(new Map([["secretsmanager", new Set(["GetSecretValue"])]]));
    requests.requestDone("GetSecretValue", "secretsmanager", 200, undefined, 0.0003);
    const store = metrics.timeSecretStore(
      { holdsSecretVersions: async () => true, close: async () => {} } as never,
      "postgres",
    );
    assert.equal(await store.holdsSecretVersions(), true);
    const parsed = parseExposition(await metrics.scrape());
    assert.equal(
      sampleOf(parsed, 'coffer_requests_total{api="secretsmanager",operation="GetSecretValue",outcome="ok"}'),
      1,
    );
    assert.equal(
      sampleOf(
        parsed,
        'coffer_request_duration_seconds_bucket{api="secretsmanager",operation="GetSecretValue",result="ok",le="0.0005"}',
      ),
      1,
    );
    assert.equal(
      sampleOf(
        parsed,
        'coffer_store_operation_duration_seconds_count{engine="postgres",method="holdsSecretVersions",outcome="ok"}',
      ),
      1,
    );
  });
});
