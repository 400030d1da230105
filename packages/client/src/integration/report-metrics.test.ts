/**
 * `reportMetrics` against a live Coffer server: a client's cold start, hits and misses arrive in
 * GetClientMetrics; reporting never keeps a process alive; a client not allowed to report keeps
 * reading, tells onError once, and stops reporting.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createSecrets, type ErrorContext, METRICS_REPORT_ID } from "../index.js";
import { adminCall, createUser } from "../testing/admin-call.js";
import { canary } from "../testing/canary.js";
import { createSecret, runModule, sdkFor, startLiveCoffer } from "../testing/live.js";
import { eventually } from "../testing/wait.js";

describe("reportMetrics against a live Coffer server", () => {
  let server: Awaited<ReturnType<typeof startLiveCoffer>>;
  let region: string;
  let admin: { accessKeyId: string; secretAccessKey: string };
  const value = canary("metrics");
  const startedS = Math.floor(Date.now() / 1000);

  before(async () => {
    server = await startLiveCoffer();
    region = server.clientEnv.AWS_REGION ?? "us-east-1";
    admin = {
      accessKeyId: server.clientEnv.AWS_ACCESS_KEY_ID ?? "",
      secretAccessKey: server.clientEnv.AWS_SECRET_ACCESS_KEY ?? "",
    };
    await createSecret(server.admin, "metrics/db", JSON.stringify({ password: value }));
  });
  after(async () => {
    server?.admin.destroy();
    await server?.stop();
    server?.cleanup();
  });

  async function clients(): Promise<Array<Record<string, unknown>>> {
    const answer = await adminCall(server.url, region, admin, "GetClientMetrics", {
      StartTime: startedS - 60,
      EndTime: Math.ceil(Date.now() / 1000) + 60,
    });
    assert.ok(!JSON.stringify(answer).includes(value));
    return answer.Clients as Array<Record<string, unknown>>;
  }

  it("reports the cold start, hits and misses of foreground reads (on close, and on its interval)", async () => {
    const secrets = createSecrets({
      sources: [{ kind: "coffer", client: sdkFor(server, server.url) }],
      changeFeed: false,
      reportMetrics: { intervalSeconds: 3600, clientId: "report-on-close" },
    });
    assert.equal(await secrets.get("metrics/db#password"), value);
    await secrets.get("metrics/db#password");
    await secrets.getJson("metrics/db");
    await secrets.close();
    const entry = (await clients()).find((c) => c.ClientId === "report-on-close");
    assert.equal(entry?.Kind, "client");
    assert.equal(entry?.ColdStarts, 1);
    assert.equal(entry?.CacheMisses, 1);
    assert.equal(entry?.CacheHits, 2);
    assert.match(String(entry?.Caller), /^arn:aws:iam::\d{12}:/);

    const ticking = createSecrets({
      sources: [{ kind: "coffer", client: sdkFor(server, server.url) }],
      changeFeed: false,
      reportMetrics: { intervalSeconds: 1, clientId: "report-on-interval" },
    });
    try {
      await ticking.get("metrics/db");
      // The report comes on the interval, without close: wait for it to arrive.
      const ticked = await eventually(
        async () => (await clients()).find((c) => c.ClientId === "report-on-interval"),
        15_000,
        100,
      );
      assert.equal(ticked?.ColdStarts, 1);
      assert.equal(ticked?.CacheMisses, 1);
    } finally {
      await ticking.close();
    }
  });

  it("a client without coffer:ReportClientMetrics keeps reading, is told once through onError, and stops reporting", async () => {
    const credentials = await createUser(server.url, region, admin, "metrics-reader", {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" }],
    });
    const errors: Array<{ error: Error; context: ErrorContext }> = [];
    const sdk = new SecretsManagerClient({ region, endpoint: server.url, credentials, maxAttempts: 1 });
    const secrets = createSecrets({
      sources: [{ kind: "coffer", client: sdk }],
      changeFeed: false,
      reportMetrics: { intervalSeconds: 1, clientId: "denied-client" },
      onError: (error, context) => errors.push({ error, context }),
    });
    try {
      assert.equal(await secrets.get("metrics/db#password"), value);
      await eventually(() => errors.length > 0, 15_000, 50);
      assert.equal(errors[0]?.context.id, METRICS_REPORT_ID);
      assert.equal(errors[0]?.context.source, "metrics");
      assert.match(errors[0]?.error.message ?? "", /coffer:ReportClientMetrics/);
      // Still reading; and no further report is attempted.
      assert.equal(await secrets.get("metrics/db#password"), value);
      await secrets.close();
      assert.equal(errors.length, 1);
      const denied = (await adminCall(server.url, region, admin, "QueryAuditEvents", {
        Principal: `arn:aws:iam::123456789012:user/metrics-reader`,
        EventName: "ReportClientMetrics",
      })) as { Events: unknown[] };
      assert.equal(denied.Events.length, 1);
      for (const { error } of errors) assert.ok(!String(error.stack).includes(value));
    } finally {
      await secrets.close();
      sdk.destroy();
    }
  });

  it("reporting never keeps a process alive", async () => {
    const run = await runModule(
      `import { createSecrets } from "@coffer/client";
       const secrets = createSecrets({ changeFeed: false, reportMetrics: 1 });
       await secrets.get("metrics/db");
       console.log("read");`,
      { ...server.clientEnv, COFFER_SOURCE: "coffer" },
    );
    assert.equal(run.timedOut, false, run.stderr);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /read/);
    assert.ok(!run.stdout.includes(value) && !run.stderr.includes(value));
  });

  it("the default client reports when COFFER_REPORT_METRICS is set; close() sends the last counts", async () => {
    const run = await runModule(
      `import { secrets } from "@coffer/client";
       await secrets.get("metrics/db");
       await secrets.get("metrics/db");
       await secrets.close();
       console.log("closed");`,
      { ...server.clientEnv, COFFER_SOURCE: "coffer", COFFER_REPORT_METRICS: "3600" },
    );
    assert.equal(run.code, 0, run.stderr);
    const reported = (await clients()).filter(
      (c) => c.Kind === "client" && c.ClientId !== "report-on-close" && c.ClientId !== "report-on-interval",
    );
    assert.equal(reported.length, 1, JSON.stringify(reported));
    assert.equal(reported[0]?.ColdStarts, 1);
    assert.equal(reported[0]?.CacheMisses, 1);
    assert.equal(reported[0]?.CacheHits, 1);
  });

  it("refuses an interval under a second and a bad client id at construction", () => {
    assert.throws(() => createSecrets({ sources: ["env"], reportMetrics: 0 }), /at least 1 second/);
    assert.throws(
      () => createSecrets({ sources: ["env"], reportMetrics: { intervalSeconds: 5, clientId: "has space" } }),
      /clientId/,
    );
  });
});
