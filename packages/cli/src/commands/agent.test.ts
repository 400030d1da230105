import assert from "node:assert/strict";
import { request } from "node:http";
import { describe, it } from "node:test";
import type { SecretsOptions } from "@coffer/client";
import { UsageError } from "../errors.js";
import { CollectingOutput } from "../testing/collecting-output.js";
import { fakeSecretsClient } from "../testing/fake-secrets-client.js";
import { type AgentCommandDependencies, type AgentCommandOptions, runAgent } from "./agent.js";

const TOKEN = "agent-TOKEN-never-printed";
const VALUE = '{"password":"CANARY-agent"}';

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { headers, agent: false }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    outgoing.on("error", reject);
    outgoing.end();
  });
}

const ENDPOINT = "http://coffer.test:7373";
const TIMEOUTS = { connectSeconds: 3, readSeconds: 10 };

function setup(env: NodeJS.ProcessEnv = { COFFER_AGENT_TOKEN: TOKEN, COFFER_ENDPOINT: ENDPOINT }) {
  const fake = fakeSecretsClient({ "prod/db": VALUE });
  const stdout = new CollectingOutput();
  const stderr = new CollectingOutput();
  const opened: SecretsOptions[] = [];
  let stop: (signal: string) => void = () => {};
  const deps: AgentCommandDependencies = {
    env,
    stdout,
    stderr,
    connection: {},
    openSecrets: (options) => {
      opened.push(options);
      return fake.client;
    },
    untilStopped: () =>
      new Promise((resolve) => {
        stop = resolve;
      }),
  };
  return { deps, fake, stdout, stderr, opened, stop: (signal = "SIGTERM") => stop(signal) };
}

/** Starts the command, waits for its URL, and returns it with the command's promise. */
async function started(options: AgentCommandOptions, s: ReturnType<typeof setup>) {
  const running = runAgent({ port: "0", ...options }, s.deps);
  await Promise.race([s.stdout.waitFor("\n"), running]);
  const url = /listening on (\S+)/.exec(s.stdout.text)?.[1];
  assert.ok(url, s.stdout.text + s.stderr.text);
  return { url, running };
}

describe("coffer agent", () => {
  it("serves secrets to callers with the token, prints its URL, and stops on a signal", async () => {
    const s = setup();
    const { url, running } = await started({ ttl: "60", maxSize: "10", source: "env,coffer" }, s);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);

    const ok = await get(`${url}/secretsmanager/get?secretId=prod/db`, {
      "X-Aws-Parameters-Secrets-Token": TOKEN,
    });
    assert.equal(ok.status, 200);
    assert.equal(JSON.parse(ok.body).SecretString, VALUE);
    assert.equal((await get(`${url}/secretsmanager/get?secretId=prod/db`)).status, 401);

    // The client library reports its fetches; /health counts them.
    s.opened[0]?.onFetch?.({
      id: "prod/db",
      source: "coffer",
      cache: "hit",
      latencyMs: 0,
      background: false,
    });
    const health = JSON.parse((await get(`${url}/health`)).body);
    assert.equal(health.cache.hits, 1);

    assert.deepEqual(s.opened[0]?.cache, { ttlMs: 60_000, maxEntries: 10 });
    assert.deepEqual(s.opened[0]?.sources, [
      { kind: "env" },
      { kind: "coffer", endpoint: ENDPOINT, timeouts: TIMEOUTS },
    ]);

    s.stop("SIGINT");
    await running;
    assert.equal(s.fake.closed(), true);
    await assert.rejects(get(`${url}/ping`), /ECONNREFUSED/);
    assert.match(s.stderr.text, /"message":"agent stopping","signal":"SIGINT"/);
    const printed = s.stdout.text + s.stderr.text;
    assert.doesNotMatch(printed, new RegExp(TOKEN));
    assert.doesNotMatch(printed, /CANARY/);
  });

  it("turns the cache off with --ttl 0, and reads Coffer at the CLI's endpoint by default", async () => {
    for (const [options, cache] of [
      [{ ttl: "0" }, false],
      [{}, {}],
    ] as const) {
      const s = setup();
      const { running } = await started(options, s);
      s.stop();
      await running;
      assert.deepEqual(s.opened[0]?.cache, cache);
      assert.deepEqual(s.opened[0]?.sources, [{ kind: "coffer", endpoint: ENDPOINT, timeouts: TIMEOUTS }]);
    }
  });

  it("reports metrics as an agent with --report-metrics, else COFFER_AGENT_REPORT_METRICS; 0 or neither: off", async () => {
    const base = { COFFER_AGENT_TOKEN: TOKEN, COFFER_ENDPOINT: ENDPOINT };
    for (const [options, env, expected] of [
      [{ reportMetrics: "30" }, base, { intervalSeconds: 30, kind: "agent" }],
      [{}, { ...base, COFFER_AGENT_REPORT_METRICS: "15" }, { intervalSeconds: 15, kind: "agent" }],
      [{ reportMetrics: "0" }, { ...base, COFFER_AGENT_REPORT_METRICS: "15" }, undefined],
      [{}, base, undefined],
    ] as const) {
      const s = setup(env);
      const { running } = await started(options, s);
      s.stop();
      await running;
      assert.deepEqual(s.opened[0]?.reportMetrics, expected, JSON.stringify([options, env]));
    }
  });

  it("refuses to start without a token, or with bad options, before opening the client", async () => {
    const cases: Array<[AgentCommandOptions, NodeJS.ProcessEnv, RegExp]> = [
      [{}, {}, /needs a token/],
      [{ port: "99999" }, { AWS_TOKEN: TOKEN }, /--port/],
      [{ host: "0.0.0.0" }, { AWS_TOKEN: TOKEN }, /--host must be 127\.0\.0\.1 or ::1/],
      [{ ttl: "-1" }, { AWS_TOKEN: TOKEN }, /--ttl/],
      [{ maxSize: "0" }, { AWS_TOKEN: TOKEN }, /--max-size/],
      [{ source: "agent" }, { AWS_TOKEN: TOKEN }, /would ask itself/],
      [{ reportMetrics: "soon" }, { AWS_TOKEN: TOKEN }, /--report-metrics/],
      [{}, { AWS_TOKEN: TOKEN, COFFER_AGENT_REPORT_METRICS: "-5" }, /COFFER_AGENT_REPORT_METRICS/],
    ];
    for (const [options, env, message] of cases) {
      const s = setup(env);
      await assert.rejects(
        runAgent({ port: "0", ...options }, s.deps),
        (error: Error) => error instanceof UsageError && message.test(error.message),
        JSON.stringify(options),
      );
      assert.equal(s.opened.length, 0);
    }
  });

  it("explains a port in use, and closes the client", async () => {
    const first = setup();
    const { url, running } = await started({}, first);
    const second = setup();
    await assert.rejects(
      runAgent({ port: new URL(url).port }, second.deps),
      /port is in use; choose another --port/,
    );
    assert.equal(second.fake.closed(), true);
    first.stop();
    await running;
  });
});
