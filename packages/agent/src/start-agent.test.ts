import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  AccessDeniedError,
  BackendUnavailableError,
  CofferClientError,
  SecretNotFoundError,
} from "@coffer/client";
import type { AgentLogger } from "./logger.js";
import { type AgentHost, AgentOptionsError, type RunningAgent, startAgent } from "./start-agent.js";
import { fakeSecrets } from "./testing/fake-secrets.js";
import { httpRequest } from "./testing/http-get.js";

const TOKEN = "test-token-0123456789";
const VALUE = '{"password":"CANARY-value-never-logged"}';

function memoryLogger(): { logger: AgentLogger; lines: string[] } {
  const lines: string[] = [];
  const log = (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${message} ${JSON.stringify(fields ?? {})}`);
  };
  return { logger: { debug: log, info: log, warn: log, error: log }, lines };
}

describe("startAgent over HTTP", () => {
  const { secrets, reads } = fakeSecrets(
    {
      "prod/db": {
        source: "coffer",
        name: "prod/db",
        arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
        versionId: "v-current",
        versionStages: ["AWSCURRENT"],
        createdDate: new Date(1_790_000_000_000),
        string: VALUE,
      },
    },
    (id) => {
      if (id === "missing") return new SecretNotFoundError("missing", { sources: ["coffer"] });
      if (id === "denied") return new AccessDeniedError("coffer", "not allowed", { secretId: "denied" });
      if (id === "outage") return new BackendUnavailableError("coffer", "connection refused");
      if (id === "odd") return new CofferClientError("something the client could not do");
      if (id === "bug") return new TypeError(`broken near ${VALUE}`);
      return undefined;
    },
  );
  const { logger, lines } = memoryLogger();
  let agent: RunningAgent;
  const get = (path: string, headers: Record<string, string> = { "X-Aws-Parameters-Secrets-Token": TOKEN }) =>
    httpRequest(`${agent.url}${path}`, { headers });

  before(async () => {
    agent = await startAgent({ secrets, token: TOKEN, port: 0, logger, cacheStats: () => ({ hits: 7 }) });
  });
  after(() => agent.close());

  it("listens on a free loopback port when asked for port 0", () => {
    assert.match(agent.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(agent.port, 0);
  });

  it("answers GetSecretValue JSON for the Lambda-extension query style", async () => {
    const answer = await get("/secretsmanager/get?secretId=prod%2Fdb");
    assert.equal(answer.status, 200);
    assert.equal(answer.headers["content-type"], "application/json");
    assert.equal(answer.headers["cache-control"], "no-store");
    assert.deepEqual(JSON.parse(answer.body), {
      ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
      Name: "prod/db",
      VersionId: "v-current",
      SecretString: VALUE,
      VersionStages: ["AWSCURRENT"],
      CreatedDate: 1_790_000_000,
    });
  });

  it("passes versionId, versionStage and refreshNow to the client library", async () => {
    reads.length = 0;
    await get("/secretsmanager/get?secretId=prod/db&versionStage=AWSPREVIOUS&refreshNow=true");
    await get("/secretsmanager/get?secretId=prod/db&versionId=v1");
    await get("/v1/prod/db?versionStage=AWSCURRENT");
    assert.deepEqual(reads, [
      { id: "prod/db", options: { versionStage: "AWSPREVIOUS", forceFetch: true } },
      { id: "prod/db", options: { versionId: "v1" } },
      { id: "prod/db", options: { versionStage: "AWSCURRENT" } },
    ]);
  });

  it("answers /ping without a token", async () => {
    const answer = await httpRequest(`${agent.url}/ping`);
    assert.equal(answer.status, 200);
    assert.equal(answer.body, "healthy");
  });

  it("reports counts on /health, never ids or values", async () => {
    const answer = await httpRequest(`${agent.url}/health`);
    assert.equal(answer.status, 200);
    const report = JSON.parse(answer.body);
    assert.equal(report.status, "healthy");
    assert.equal(report.cache.hits, 7);
    assert.ok(report.requests.ok >= 1);
    assert.doesNotMatch(answer.body, /prod|CANARY/);
  });

  it("needs the token: 401 without it, 403 when wrong, on every secret path", async () => {
    for (const path of ["/secretsmanager/get?secretId=prod/db", "/v1/prod/db", "/nowhere"]) {
      const missing = await get(path, {});
      assert.equal(missing.status, 401, path);
      assert.equal(JSON.parse(missing.body).__type, "MissingAuthenticationTokenException");
      const wrong = await get(path, { "X-Aws-Parameters-Secrets-Token": `${TOKEN}x` });
      assert.equal(wrong.status, 403, path);
      assert.equal(JSON.parse(wrong.body).__type, "UnrecognizedClientException");
      assert.doesNotMatch(missing.body + wrong.body, /CANARY/);
    }
  });

  it("refuses forwarded requests (SSRF) even with the right token", async () => {
    const signals: Record<string, string> = {
      "X-Forwarded-For": "10.0.0.1",
      Forwarded: "for=10.0.0.1",
      "X-Real-IP": "10.0.0.1",
      Via: "1.1 proxy.example",
      "X-Forwarded-Host": "agent.example",
      "X-Forwarded-Proto": "https",
    };
    for (const [header, value] of Object.entries(signals)) {
      // Refused on every path, the open health paths included, before the token is looked at.
      for (const path of ["/secretsmanager/get?secretId=prod/db", "/v1/prod/db", "/ping"]) {
        const answer = await get(path, { "X-Aws-Parameters-Secrets-Token": TOKEN, [header]: value });
        assert.equal(answer.status, 400, `${header} ${path}`);
        assert.equal(JSON.parse(answer.body).__type, "InvalidRequestException");
        assert.doesNotMatch(answer.body, /CANARY/);
      }
    }
  });

  it("refuses other methods, unknown paths and bad parameters", async () => {
    const post = await httpRequest(`${agent.url}/secretsmanager/get?secretId=prod/db`, {
      method: "POST",
      headers: { "X-Aws-Parameters-Secrets-Token": TOKEN },
    });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, "GET");
    assert.equal((await get("/secretsmanager/put?secretId=a")).status, 404);
    assert.equal((await get("//evil.example/secretsmanager/get?secretId=prod/db")).status, 404);
    const bad = await get("/secretsmanager/get?secretId=prod/db&abc=1");
    assert.equal(bad.status, 400);
    assert.deepEqual(JSON.parse(bad.body), {
      __type: "ValidationException",
      message: "unknown parameter: abc",
    });
    assert.equal((await get("/secretsmanager/get")).status, 400);
  });

  it("maps the client library's errors: 404, 403, 502, 400, and anything else to 500", async () => {
    const missing = await get("/secretsmanager/get?secretId=missing");
    assert.equal(missing.status, 404);
    assert.equal(JSON.parse(missing.body).__type, "ResourceNotFoundException");
    assert.match(JSON.parse(missing.body).message, /missing/);
    const denied = await get("/secretsmanager/get?secretId=denied");
    assert.equal(denied.status, 403);
    assert.equal(JSON.parse(denied.body).__type, "AccessDeniedException");
    const outage = await get("/secretsmanager/get?secretId=outage");
    assert.equal(outage.status, 502);
    assert.equal(JSON.parse(outage.body).__type, "BackendUnavailableException");
    const odd = await get("/secretsmanager/get?secretId=odd");
    assert.equal(odd.status, 400);
    assert.equal(JSON.parse(odd.body).__type, "ValidationException");
    const bug = await get("/secretsmanager/get?secretId=bug");
    assert.equal(bug.status, 500);
    assert.deepEqual(JSON.parse(bug.body), {
      __type: "InternalServiceError",
      message: "the agent failed to read the secret",
    });
  });

  it("never logs a value or the token", () => {
    assert.ok(lines.length > 0);
    const log = lines.join("\n");
    assert.doesNotMatch(log, /CANARY/);
    assert.doesNotMatch(log, new RegExp(TOKEN));
  });
});

describe("startAgent debug lines", () => {
  const { secrets } = fakeSecrets({ "prod/db": { source: "coffer", name: "prod/db", string: VALUE } });

  for (const debugEnabled of [undefined, true, false]) {
    it(`logs a served secret with its time ${debugEnabled === false ? "only when debug is on" : "at debug"} (debugEnabled: ${debugEnabled})`, async () => {
      const { logger, lines } = memoryLogger();
      const agent = await startAgent({
        secrets,
        token: TOKEN,
        port: 0,
        logger: debugEnabled === undefined ? logger : { ...logger, debugEnabled },
      });
      try {
        const answer = await httpRequest(`${agent.url}/v1/prod%2Fdb`, {
          headers: { "X-Aws-Parameters-Secrets-Token": TOKEN },
        });
        assert.equal(answer.status, 200);
        const served = lines.filter((line) => line.startsWith("secret served"));
        if (debugEnabled === false) assert.deepEqual(served, []);
        else assert.match(served[0] ?? "", /"secretId":"prod\/db".*"ms":\d+/);
      } finally {
        await agent.close();
      }
    });
  }
});

describe("startAgent options", () => {
  const { secrets } = fakeSecrets({});

  it("refuses hosts other than loopback, and bad ports and tokens", async () => {
    const refuse = (options: { host?: string; port?: number; token?: string }) =>
      assert.rejects(
        startAgent({
          secrets,
          token: options.token ?? TOKEN,
          port: options.port ?? 0,
          host: (options.host ?? "127.0.0.1") as AgentHost,
        }),
        AgentOptionsError,
      );
    await refuse({ host: "0.0.0.0" });
    await refuse({ host: "192.168.1.10" });
    await refuse({ host: "localhost" });
    await refuse({ port: 70_000 });
    await refuse({ port: 1.5 });
    await refuse({ token: "" });
    await refuse({ token: "has space" });
  });

  it("listens on ::1 when asked", async (t) => {
    let agent: RunningAgent;
    try {
      agent = await startAgent({ secrets, token: TOKEN, port: 0, host: "::1" });
    } catch (error) {
      t.skip(`no IPv6 loopback here: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    try {
      assert.match(agent.url, /^http:\/\/\[::1\]:\d+$/);
      assert.equal((await httpRequest(`${agent.url}/ping`)).body, "healthy");
    } finally {
      await agent.close();
    }
  });

  it("reports a port in use", async () => {
    const first = await startAgent({ secrets, token: TOKEN, port: 0 });
    try {
      await assert.rejects(startAgent({ secrets, token: TOKEN, port: first.port }), /EADDRINUSE/);
    } finally {
      await first.close();
    }
  });

  it("close() ends idle keep-alive connections at once", async () => {
    const agent = await startAgent({ secrets, token: TOKEN, port: 0 });
    await httpRequest(`${agent.url}/ping`, { headers: { connection: "keep-alive" } });
    const started = Date.now();
    await agent.close();
    assert.ok(Date.now() - started < 1_000);
  });
});
