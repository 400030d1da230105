import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Exposition, parseExposition, sampleOf } from "../metrics/exposition.test-helper.js";
import { createUserWithPolicy } from "../testing/admin-call.js";
import { type ServerProcess, startServerProcess, testAdmin } from "../testing/server-process.js";
import { secretsManagerTarget, signedCaller } from "../testing/signed-call.js";
import { testStoreEngine } from "../testing/test-store.js";

let server: ServerProcess;
let metricsUrl: string;

before(async () => {
  server = await startServerProcess({ env: { COFFER_METRICS_LISTEN: "127.0.0.1:0" } });
  // Printed in the same write as the banner startServerProcess waited for.
  const match = /Prometheus metrics at (http:\/\/\S+)/.exec(server.output());
  assert.ok(match?.[1], `no metrics URL in the server's output:\n${server.output()}`);
  metricsUrl = match[1];
});
after(async () => {
  await server?.stop();
  server?.cleanup();
});

async function scrape(): Promise<{ text: string; parsed: Exposition }> {
  const response = await fetch(metricsUrl);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  return { text, parsed: parseExposition(text) };
}

const requests = (operation: string, outcome: string) =>
  `coffer_requests_total{api="secretsmanager",operation="${operation}",outcome="${outcome}"}`;
const durationCount = (operation: string, result: string) =>
  `coffer_request_duration_seconds_count{api="secretsmanager",operation="${operation}",result="${result}"}`;

describe(`Prometheus metrics on their own listener (${testStoreEngine()})`, () => {
  test("signed requests move the counters and histograms by what they did, and no name or value leaks", async () => {
    const name = `metrics/canary-${randomBytes(6).toString("hex")}`;
    const value = `canary-value-${randomBytes(12).toString("hex")}`;
    const admin = signedCaller(server.url);
    const reader = await createUserWithPolicy(
      server.url,
      `metrics-reader-${randomBytes(3).toString("hex")}`,
      {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "secretsmanager:ListSecrets", Resource: "*" }],
      },
    );
    const denied = signedCaller(server.url, reader);
    const forger = signedCaller(server.url, {
      ...testAdmin,
      secretAccessKey: "not-the-admin-secret-0123456789",
    });
    try {
      const created = await admin.call(
        secretsManagerTarget("CreateSecret"),
        JSON.stringify({ Name: name, SecretString: value }),
      );
      assert.equal(created.status, 200, created.body);
      const before = (await scrape()).parsed;

      for (let i = 0; i < 3; i++) {
        const read = await admin.call(
          secretsManagerTarget("GetSecretValue"),
          JSON.stringify({ SecretId: name }),
        );
        assert.equal(read.status, 200, read.body);
      }
      const missing = await admin.call(
        secretsManagerTarget("GetSecretValue"),
        JSON.stringify({ SecretId: `${name}-absent` }),
      );
      assert.equal(missing.type, "ResourceNotFoundException");
      const refused = await denied.call(
        secretsManagerTarget("GetSecretValue"),
        JSON.stringify({ SecretId: name }),
      );
      assert.equal(refused.type, "AccessDeniedException");
      const forged = await forger.call(
        secretsManagerTarget("GetSecretValue"),
        JSON.stringify({ SecretId: name }),
      );
      assert.equal(forged.type, "InvalidSignatureException");

      const { text, parsed: now } = await scrape();
      const moved = (key: string) => sampleOf(now, key) - sampleOf(before, key);
      assert.equal(moved(requests("GetSecretValue", "ok")), 3);
      assert.equal(moved(requests("GetSecretValue", "ResourceNotFoundException")), 1);
      assert.equal(moved(requests("GetSecretValue", "denied")), 1);
      assert.equal(moved(requests("GetSecretValue", "auth_failure")), 1);
      assert.equal(
        moved('coffer_auth_failures_total{api="secretsmanager",reason="InvalidSignatureException"}'),
        1,
      );
      assert.equal(moved(durationCount("GetSecretValue", "ok")), 3);
      assert.equal(moved(durationCount("GetSecretValue", "client_error")), 1);
      assert.equal(moved(durationCount("GetSecretValue", "denied")), 1);
      assert.equal(moved(durationCount("GetSecretValue", "auth_failure")), 1);
      // Buckets are cumulative and end in +Inf = count.
      const okPrefix =
        'coffer_request_duration_seconds_bucket{api="secretsmanager",operation="GetSecretValue",result="ok",le=';
      assert.equal(sampleOf(now, `${okPrefix}"+Inf"}`), sampleOf(now, durationCount("GetSecretValue", "ok")));
      assert.ok(sampleOf(now, `${okPrefix}"10"}`) >= sampleOf(now, `${okPrefix}"0.001"}`));
      // The first read after CreateSecret may load the secret; the later ones are answered from memory.
      assert.ok(moved('coffer_read_model_lookups_total{result="hit"}') >= 2);
      assert.ok(moved('coffer_read_model_lookups_total{result="miss"}') >= 1);
      // Every answered request was audited: events and transactions were written.
      assert.ok(moved("coffer_audit_events_written_total") >= 6);
      assert.ok(moved("coffer_audit_write_duration_seconds_count") >= 1);
      assert.ok(now.samples.has('coffer_audit_queue_events{state="pending"}'));
      assert.ok(now.samples.has('coffer_audit_queue_events{state="in_flight"}'));
      // The missing secret was looked up in the store, on this test's engine.
      const storeCalls = [...now.samples.keys()].filter((key) =>
        key.startsWith(`coffer_store_operation_duration_seconds_count{engine="${testStoreEngine()}",`),
      );
      assert.ok(storeCalls.length > 0, "no store latency observed");
      // The process: memory and event-loop lag.
      assert.ok(sampleOf(now, "process_resident_memory_bytes") > 0);
      assert.ok(now.samples.has("nodejs_eventloop_lag_seconds"));
      assert.ok(now.samples.has("nodejs_eventloop_lag_p99_seconds"));
      assert.ok(sampleOf(now, "nodejs_heap_size_used_bytes") > 0);
      assert.equal(now.types.get("coffer_requests_total"), "counter");
      assert.equal(now.types.get("coffer_request_duration_seconds"), "histogram");

      // Canary: no secret name, value, caller or key in any label or line.
      for (const leak of [name, value, "canary", reader.accessKeyId, testAdmin.accessKeyId, "arn:"]) {
        assert.ok(!text.includes(leak), `the scrape holds ${leak}`);
      }
    } finally {
      admin.close();
      denied.close();
      forger.close();
    }
  });

  test("an unknown operation is counted as unknown, not by the name the client sent", async () => {
    const admin = signedCaller(server.url);
    try {
      const before = (await scrape()).parsed;
      const bogus = await admin.call("secretsmanager.NoSuchOperationCanary", "{}");
      assert.equal(bogus.type, "UnknownOperationException");
      const { text, parsed: now } = await scrape();
      assert.ok(!text.includes("NoSuchOperationCanary"));
      assert.equal(
        sampleOf(
          now,
          'coffer_requests_total{api="secretsmanager",operation="unknown",outcome="UnknownOperationException"}',
        ) -
          sampleOf(
            before,
            'coffer_requests_total{api="secretsmanager",operation="unknown",outcome="UnknownOperationException"}',
          ),
        1,
      );
    } finally {
      admin.close();
    }
  });

  test("a rotation's result and steps are counted once the trail records them", async () => {
    const admin = signedCaller(server.url);
    const name = `metrics/rotated-${randomBytes(4).toString("hex")}`;
    try {
      const created = await admin.call(
        secretsManagerTarget("CreateSecret"),
        JSON.stringify({ Name: name, SecretString: JSON.stringify({ password: "old-password" }) }),
      );
      assert.equal(created.status, 200, created.body);
      const succeeded = 'coffer_rotations_total{result="succeeded"}';
      const before = sampleOf((await scrape()).parsed, succeeded);
      const rotated = await admin.call(
        secretsManagerTarget("RotateSecret"),
        JSON.stringify({
          SecretId: name,
          RotationLambdaARN: "arn:coffer:rotation:::builtin/random-password",
          RotationRules: { AutomaticallyAfterDays: 30 },
        }),
      );
      assert.equal(rotated.status, 200, rotated.body);
      // Rotation runs after RotateSecret answers (as in AWS): poll the scrape, bounded by a deadline.
      const deadline = Date.now() + 20_000;
      let now = (await scrape()).parsed;
      while (sampleOf(now, succeeded) === before && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        now = (await scrape()).parsed;
      }
      assert.equal(sampleOf(now, succeeded) - before, 1);
      for (const step of ["createSecret", "setSecret", "testSecret", "finishSecret"]) {
        assert.ok(
          sampleOf(now, `coffer_rotation_steps_total{step="${step}",outcome="succeeded"}`) >= 1,
          step,
        );
      }
    } finally {
      admin.close();
    }
  });

  test("/metrics is not served on the API's port, and the metrics port serves nothing else", async () => {
    const onApi = await fetch(`${server.url}/metrics`);
    const body = await onApi.text();
    assert.notEqual(onApi.status, 200);
    assert.ok(!body.includes("coffer_requests_total"));
    const other = await fetch(new URL("/", metricsUrl));
    await other.text();
    assert.equal(other.status, 404);
    const post = await fetch(metricsUrl, { method: "POST", body: "" });
    await post.text();
    assert.equal(post.status, 405);
  });
});

describe("where metrics are served", () => {
  test("off by default: no metrics listener, no metrics line", async () => {
    const plain = await startServerProcess();
    try {
      assert.ok(!plain.output().includes("Prometheus metrics"), plain.output());
      assert.ok(!plain.output().includes("metrics served"));
    } finally {
      await plain.stop();
      plain.cleanup();
    }
  });

  test("bound beyond the loopback address, the log warns", async () => {
    const exposed = await startServerProcess({ env: { COFFER_METRICS_LISTEN: "0.0.0.0:0" } });
    try {
      const match = /Prometheus metrics at http:\/\/0\.0\.0\.0:(\d+)\/metrics/.exec(exposed.output());
      assert.ok(match?.[1], exposed.output());
      // A round trip first: the warning went to stderr before the banner reached stdout.
      const response = await fetch(`http://127.0.0.1:${match[1]}/metrics`);
      assert.equal(response.status, 200);
      await response.text();
      const warning = exposed
        .output()
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as { level: string; message: string })
        .find(
          (entry) =>
            entry.level === "warn" && entry.message.startsWith("metrics are served beyond this machine"),
        );
      assert.ok(warning, exposed.output());
    } finally {
      await exposed.stop();
      exposed.cleanup();
    }
  });

  test("a metrics port that cannot be bound stops the start, with nothing created", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as { port: number };
    const home = mkdtempSync(join(tmpdir(), "coffer-metrics-port-"));
    try {
      await assert.rejects(
        startServerProcess({ home, env: { COFFER_METRICS_LISTEN: `127.0.0.1:${port}` } }),
        (error: unknown) =>
          error instanceof Error &&
          /exited with 1/.test(error.message) &&
          error.message.includes(`cannot serve metrics on 127.0.0.1:${port}: the port is already in use`) &&
          error.message.includes("COFFER_METRICS_LISTEN"),
      );
      assert.deepEqual(readdirSync(home), [], "the data folder stays empty");
    } finally {
      rmSync(home, { recursive: true, force: true });
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });
});
