import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { type ServerProcess, startServerProcess, testAdmin, testRegion } from "@coffer/server/testing";
import { createAdminCaller } from "../admin/admin-client.js";
import { ExitCode } from "../exit-codes.js";
import { killStartedCoffers, startCoffer } from "../testing/coffer-process.js";

const TOKEN = "e2e-agent-token-TOKEN-31c9";
const VALUE = JSON.stringify({ password: "agent-e2e-CANARY" });
let server: ServerProcess;
let scratch: string;

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), "coffer-agent-e2e-"));
  server = await startServerProcess();
  const sdk = new SecretsManagerClient({
    endpoint: server.url,
    region: testRegion,
    credentials: { accessKeyId: testAdmin.accessKeyId, secretAccessKey: testAdmin.secretAccessKey },
  });
  await sdk.send(new CreateSecretCommand({ Name: "prod/db", SecretString: VALUE }));
  sdk.destroy();
});
after(async () => {
  await killStartedCoffers();
  rmSync(scratch, { recursive: true, force: true });
  await server?.stop();
  server?.cleanup();
});

function get(url: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = token === undefined ? {} : { "X-Aws-Parameters-Secrets-Token": token };
    const outgoing = request(url, { headers, agent: false }, (response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => {
        body += chunk.toString("utf8");
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    outgoing.on("error", reject);
    outgoing.end();
  });
}

describe("coffer agent (a real process against a real server)", () => {
  it("serves secrets until SIGTERM, then exits 0 without printing the token or a value", async () => {
    const tokenFile = join(scratch, "token");
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const agent = startCoffer(
      ["agent", "--port", "0", "--token-file", tokenFile, "--ttl", "30"],
      server.clientEnv,
    );
    const url = (await agent.waitForStdout(/http:\/\/127\.0\.0\.1:\d+/)).trim();

    const answer = await get(`${url}/secretsmanager/get?secretId=prod/db`, TOKEN);
    assert.equal(answer.status, 200, answer.body);
    assert.equal(JSON.parse(answer.body).SecretString, VALUE);
    assert.equal((await get(`${url}/secretsmanager/get?secretId=prod/db`)).status, 401);
    assert.equal((await get(`${url}/secretsmanager/get?secretId=nope`, TOKEN)).status, 404);

    agent.child.kill("SIGTERM");
    assert.deepEqual(await agent.exited, { code: 0, signal: null });
    const printed = agent.stdout() + agent.stderr();
    assert.doesNotMatch(printed, /TOKEN-31c9|CANARY/);
    // The AWS SDK's multi-line Node-version notice never reaches the user.
    assert.doesNotMatch(agent.stderr(), /NodeVersionSupportWarning|AWS SDK for JavaScript/);
  });

  it("--report-metrics: its cold start, cache hits and misses reach GetClientMetrics as an agent's", async () => {
    const tokenFile = join(scratch, "token-metrics");
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const startedS = Math.floor(Date.now() / 1000);
    const agent = startCoffer(["agent", "--port", "0", "--token-file", tokenFile], {
      ...server.clientEnv,
      COFFER_AGENT_REPORT_METRICS: "1",
    });
    const url = (await agent.waitForStdout(/http:\/\/127\.0\.0\.1:\d+/)).trim();
    assert.equal((await get(`${url}/secretsmanager/get?secretId=prod/db`, TOKEN)).status, 200);
    assert.equal((await get(`${url}/secretsmanager/get?secretId=prod/db`, TOKEN)).status, 200);
    const admin = createAdminCaller({
      endpoint: server.url,
      region: testRegion,
      credentials: async () => testAdmin,
      timeouts: { connectSeconds: 5, readSeconds: 10 },
    });
    // Reports come every second: wait until both reads have been reported.
    let agentEntry: Record<string, unknown> | undefined;
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
      const { Clients } = (await admin("GetClientMetrics", {
        StartTime: startedS - 60,
        EndTime: Math.ceil(Date.now() / 1000) + 60,
      })) as { Clients: Array<Record<string, unknown>> };
      agentEntry = Clients.find((c) => c.Kind === "agent");
      if (Number(agentEntry?.CacheHits ?? 0) + Number(agentEntry?.CacheMisses ?? 0) >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(agentEntry?.ColdStarts, 1);
    assert.equal(agentEntry?.CacheMisses, 1);
    assert.equal(agentEntry?.CacheHits, 1);
    agent.child.kill("SIGTERM");
    assert.deepEqual(await agent.exited, { code: 0, signal: null });
    assert.doesNotMatch(agent.stdout() + agent.stderr(), /TOKEN-31c9|CANARY/);
  });

  it("refuses to start without a token (exit 1)", async () => {
    const agent = startCoffer(["agent", "--port", "0"], server.clientEnv);
    assert.deepEqual(await agent.exited, { code: ExitCode.Usage, signal: null });
    assert.match(agent.stderr(), /needs a token/);
  });
});
