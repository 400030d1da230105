// Invokes the Lambda handler in-process, as the Lambda runtime would: an event, a context object,
// and console.log captured to check the response and the Embedded Metric Format line.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, describe, type TestContext, test } from "node:test";
import { createSecrets, type SecretsClient } from "@coffer/client";
import { loadConfig } from "./config.js";
import type { LambdaContext, LambdaHandler, LambdaResponse } from "./lambda.js";
import {
  type AlphaVantageFixture,
  alphaVantageAnswers,
  jsonAnswer,
  recordedIntraday,
  startAlphaVantageFixture,
} from "./testing/alpha-vantage-fixture.js";
import { assertValidEmf } from "./testing/emf-assertions.js";

const canary = "CANARYKEY7F3A9C5";

let fixture: AlphaVantageFixture;
let secretsDir: string;
let lambda: typeof import("./lambda.js");
let client: SecretsClient;

before(async () => {
  fixture = await startAlphaVantageFixture();
  secretsDir = mkdtempSync(join(tmpdir(), "stock-quotes-lambda-"));
  writeFileSync(join(secretsDir, "alpha-vantage"), JSON.stringify({ apiKey: canary }));
  writeFileSync(join(secretsDir, "wrong-field"), JSON.stringify({ token: canary }));
  // The function's configuration, as `aws lambda create-function --environment` would set it.
  // Set before the module loads: the config is read at init, the default client on first use.
  process.env.COFFER_SOURCE = `files:${secretsDir}`;
  process.env.ALPHA_VANTAGE_BASE_URL = fixture.url;
  delete process.env.SECRET_ID;
  lambda = await import("./lambda.js");
  client = createSecrets({ sources: [{ kind: "files", dir: secretsDir }] });
});
after(async () => {
  await client.close();
  const { secrets } = await import("@coffer/client");
  await secrets.close();
  await fixture.close();
  rmSync(secretsDir, { recursive: true, force: true });
});
beforeEach(() => {
  fixture.requests.length = 0;
  fixture.answer = { contentType: "application/json", body: recordedIntraday };
});

function lambdaContext(
  functionName = "stock-quotes",
  timeoutMs = 30_000,
): LambdaContext & Record<string, unknown> {
  const deadline = Date.now() + timeoutMs;
  const awsRequestId = randomUUID();
  return {
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:eu-central-1:123456789012:function:${functionName}`,
    memoryLimitInMB: "128",
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `2024/11/27/[$LATEST]${awsRequestId.replaceAll("-", "")}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

/** An API Gateway (REST, proxy integration) event for GET /quotes with a query string. */
function apiGatewayEvent(query: Record<string, string> | null) {
  return {
    resource: "/quotes",
    path: "/quotes",
    httpMethod: "GET",
    headers: { accept: "application/json" },
    queryStringParameters: query,
    pathParameters: null,
    body: null,
    isBase64Encoded: false,
    requestContext: { requestId: randomUUID(), stage: "prod", httpMethod: "GET", path: "/prod/quotes" },
  };
}

interface Invocation {
  response: LambdaResponse;
  body: Record<string, unknown>;
  /** Everything written with console.log and console.error during the invocation. */
  logs: string[];
  errors: string[];
  /** The EMF record, parsed and checked. */
  metrics: Record<string, unknown>;
}

async function invoke(
  t: TestContext,
  handler: LambdaHandler,
  event: unknown,
  context = lambdaContext(),
): Promise<Invocation> {
  const log = t.mock.method(console, "log", () => undefined);
  const error = t.mock.method(console, "error", () => undefined);
  let response: LambdaResponse;
  try {
    response = await handler(event, context);
  } finally {
    log.mock.restore();
    error.mock.restore();
  }
  const logs = log.mock.calls.map((call) => String(call.arguments[0]));
  const errors = error.mock.calls.map((call) => String(call.arguments[0]));
  const emfLines = logs.filter((line) => line.startsWith('{"_aws":'));
  assert.equal(emfLines.length, 1, `one EMF line per invocation, got: ${logs.join("\n")}`);
  const metrics = assertValidEmf(emfLines[0] ?? "");
  assert.equal(metrics.FunctionName, context.functionName);
  assert.equal(metrics.RequestId, context.awsRequestId);
  assert.equal(metrics.StatusCode, response.statusCode);
  assert.equal(typeof metrics.Duration, "number");
  assert.ok((metrics.Duration as number) >= 0);
  assert.ok((metrics.MemoryUsed as number) > 0, "MemoryUsed is the process's peak RSS in MB");
  assert.equal(metrics.MemoryLimitInMB, 128);
  assert.equal(response.headers["content-type"], "application/json");
  const everything = [...logs, ...errors, response.body, JSON.stringify(response.headers)].join("\n");
  assert.equal(everything.includes(canary), false, "the API key reached a log or the response");
  return { response, body: JSON.parse(response.body) as Record<string, unknown>, logs, errors, metrics };
}

describe("the exported handler (default client configured from the environment)", () => {
  test("a cold start then a warm one, each with one EMF line and the bars as JSON", async (t) => {
    const cold = await invoke(t, lambda.handler, apiGatewayEvent({ bars: "3" }));
    assert.equal(cold.response.statusCode, 200);
    assert.equal(cold.metrics.ColdStart, 1);
    assert.deepEqual(cold.metrics._aws, {
      Timestamp: (cold.metrics._aws as { Timestamp: number }).Timestamp,
      CloudWatchMetrics: [
        {
          Namespace: "CofferExamples/StockQuotes",
          Dimensions: [["FunctionName"]],
          Metrics: [
            { Name: "ColdStart", Unit: "Count" },
            { Name: "Duration", Unit: "Milliseconds" },
            { Name: "MemoryUsed", Unit: "Megabytes" },
          ],
        },
      ],
    });
    assert.ok(Math.abs((cold.metrics._aws as { Timestamp: number }).Timestamp - Date.now()) < 60_000);
    assert.deepEqual(cold.body, {
      symbol: "AAPL",
      interval: "5min",
      timeZone: "US/Eastern",
      lastRefreshed: "2024-11-27 15:55:00",
      bars: [
        {
          time: "2024-11-27 15:55:00",
          open: 234.87,
          high: 235.04,
          low: 234.65,
          close: 234.93,
          volume: 1658094,
        },
        {
          time: "2024-11-27 15:50:00",
          open: 234.63,
          high: 234.9,
          low: 234.58,
          close: 234.865,
          volume: 612530,
        },
        {
          time: "2024-11-27 15:45:00",
          open: 234.71,
          high: 234.78,
          low: 234.5,
          close: 234.635,
          volume: 433287,
        },
      ],
    });
    assert.equal(
      fixture.requests[0]?.searchParams.get("apikey"),
      canary,
      "Alpha Vantage got the key from the secret",
    );

    const warm = await invoke(t, lambda.handler, {});
    assert.equal(warm.response.statusCode, 200);
    assert.equal(warm.metrics.ColdStart, 0);
    assert.equal((warm.body.bars as unknown[]).length, 10, "QUOTES_BARS' default");
    assert.equal(fixture.requests.length, 2);
    assert.equal(fixture.requests[1]?.searchParams.get("apikey"), canary);

    const direct = await invoke(t, lambda.handler, { bars: 12 });
    assert.equal((direct.body.bars as unknown[]).length, 12);
    assert.equal(direct.metrics.ColdStart, 0);
  });

  test("Alpha Vantage's rate-limit Note → 429 with Retry-After, logged without the key", async (t) => {
    fixture.answer = jsonAnswer(alphaVantageAnswers.rateLimitNote);
    const { response, body, errors, metrics } = await invoke(t, lambda.handler, apiGatewayEvent(null));
    assert.equal(response.statusCode, 429);
    assert.equal(response.headers["retry-after"], "60");
    assert.match(
      String(body.message),
      /^Alpha Vantage rate limit reached: Thank you for using Alpha Vantage!/,
    );
    assert.equal(metrics.ColdStart, 0);
    assert.equal(errors.length, 1);
    const logged = JSON.parse(errors[0] ?? "{}") as Record<string, unknown>;
    assert.equal(logged.level, "ERROR");
    assert.equal(logged.error, "AlphaVantageError");
    assert.equal(logged.message, body.message);
  });

  test("a bad bars parameter → 400 without calling Alpha Vantage", async (t) => {
    const { response, body } = await invoke(t, lambda.handler, apiGatewayEvent({ bars: "many" }));
    assert.equal(response.statusCode, 400);
    assert.match(String(body.message), /bars must be a whole number from 1 to 100/);
    assert.equal(fixture.requests.length, 0);
  });
});

describe("createHandler with an injected client (one handler = one execution environment)", () => {
  const config = (env: Record<string, string> = {}) =>
    loadConfig({ ALPHA_VANTAGE_BASE_URL: fixture.url, ...env });

  test("each new environment starts cold", async (t) => {
    const first = lambda.createHandler({ secrets: client, config: config() });
    const second = lambda.createHandler({ secrets: client, config: config() });
    assert.equal((await invoke(t, first, {})).metrics.ColdStart, 1);
    assert.equal((await invoke(t, first, {})).metrics.ColdStart, 0);
    assert.equal((await invoke(t, second, {}, lambdaContext("stock-quotes-eu"))).metrics.ColdStart, 1);
  });

  test("a secret without an apiKey field → 500 naming the field, not the value", async (t) => {
    const handler = lambda.createHandler({ secrets: client, config: config({ SECRET_ID: "wrong-field" }) });
    const { response, body, metrics } = await invoke(t, handler, {});
    assert.equal(response.statusCode, 500);
    assert.match(String(body.message), /secret "wrong-field" has no "apiKey" text field/);
    assert.equal(metrics.ColdStart, 1);
    assert.equal(fixture.requests.length, 0);
  });

  test("a missing secret → 500 naming it", async (t) => {
    const handler = lambda.createHandler({ secrets: client, config: config({ SECRET_ID: "nowhere" }) });
    const { response, body } = await invoke(t, handler, {});
    assert.equal(response.statusCode, 500);
    assert.match(String(body.message), /nowhere/);
  });

  test("Alpha Vantage hanging: 504 inside the function's remaining time, metrics still logged", async (t) => {
    fixture.answer = "hang";
    const handler = lambda.createHandler({ secrets: client, config: config() });
    const { response, body, metrics } = await invoke(t, handler, {}, lambdaContext("stock-quotes", 1_000));
    assert.equal(response.statusCode, 504);
    // Alpha Vantage got what was left of the 1 s minus the 250 ms kept for answering, not its 10 s default.
    const budget = Number(/did not answer within (\d+) ms/.exec(String(body.message))?.[1]);
    assert.ok(budget > 500 && budget <= 750, `Alpha Vantage's budget was ${budget} ms`);
    assert.ok((metrics.Duration as number) >= budget);
  });

  test("an unexpected error quoting the key: 500 'internal error', logged by name and frames only", async (t) => {
    const broken = {
      getJson: async () => {
        throw new TypeError(`cannot read apikey=${canary}`);
      },
    };
    const handler = lambda.createHandler({ secrets: broken, config: config() });
    const { response, body, errors } = await invoke(t, handler, {});
    assert.equal(response.statusCode, 500);
    assert.deepEqual(body, { message: "internal error" });
    const logged = JSON.parse(errors[0] ?? "{}") as { error?: string; stack?: string[] };
    assert.equal(logged.error, "TypeError");
    assert.match(logged.stack?.[0] ?? "", /^at .*lambda\.test\.(ts|js)/);
  });

  test("an invalid key (Error Message) → 502", async (t) => {
    fixture.answer = jsonAnswer(alphaVantageAnswers.invalidKey);
    const handler = lambda.createHandler({ secrets: client, config: config() });
    const { response, body } = await invoke(t, handler, {});
    assert.equal(response.statusCode, 502);
    assert.match(String(body.message), /the parameter apikey is invalid/);
  });
});
