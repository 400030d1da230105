// The same as main.ts, as an AWS Lambda function (container image, CMD ["lambda.handler"]).
//
// The secret's backend is configuration only: COFFER_SOURCE=aws with an execution role that may
// call secretsmanager:GetSecretValue on the secret, or a reachable Coffer (COFFER_ENDPOINT and keys).
// Every invocation logs one CloudWatch Embedded Metric Format line with ColdStart, Duration and
// MemoryUsed — the numbers the seed article read from its observability tool.
import { BackendUnavailableError, CofferClientError, type SecretsClient, secrets } from "@coffer/client";
import { AlphaVantageError, fetchIntraday } from "./alpha-vantage.js";
import { ApiKeyFieldError, requireApiKey } from "./api-key.js";
import { ConfigError, loadConfig, parseBars, type StockQuotesConfig } from "./config.js";
import { emfLine } from "./emf.js";

/** The fields of Lambda's context object this handler reads. */
export interface LambdaContext {
  functionName: string;
  functionVersion?: string;
  awsRequestId: string;
  memoryLimitInMB: string | number;
  getRemainingTimeInMillis(): number;
}

export interface LambdaResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export type LambdaHandler = (event: unknown, context: LambdaContext) => Promise<LambdaResponse>;

export interface HandlerDependencies {
  secrets: Pick<SecretsClient, "getJson">;
  config: StockQuotesConfig;
}

export const metricsNamespace = "CofferExamples/StockQuotes";
/** Left for logging and returning once the Alpha Vantage request has used its share of the remaining time. */
const reserveMs = 250;

/**
 * A handler with its own cold-start flag: one handler is one execution environment. The first
 * invocation reports ColdStart 1, every later one 0.
 */
export function createHandler(dependencies: HandlerDependencies): LambdaHandler {
  let coldStart = true;
  return async (event: unknown, context: LambdaContext): Promise<LambdaResponse> => {
    const started = performance.now();
    const wasCold = coldStart;
    coldStart = false;
    let statusCode = 500;
    try {
      const response = await respond(dependencies, event, context);
      statusCode = response.statusCode;
      return response;
    } finally {
      console.log(
        emfLine({
          namespace: metricsNamespace,
          dimensions: { FunctionName: context.functionName },
          metrics: [
            { name: "ColdStart", unit: "Count", value: wasCold ? 1 : 0 },
            { name: "Duration", unit: "Milliseconds", value: round(performance.now() - started, 2) },
            // The peak resident set size of the process: what Lambda's "Max Memory Used" reports.
            { name: "MemoryUsed", unit: "Megabytes", value: round(process.resourceUsage().maxRSS / 1024, 1) },
          ],
          properties: {
            RequestId: context.awsRequestId,
            StatusCode: statusCode,
            ...(Number.isFinite(Number(context.memoryLimitInMB)) && {
              MemoryLimitInMB: Number(context.memoryLimitInMB),
            }),
          },
        }),
      );
    }
  };
}

async function respond(
  { secrets: client, config }: HandlerDependencies,
  event: unknown,
  context: LambdaContext,
): Promise<LambdaResponse> {
  try {
    const bars = parseBars("bars", barsParameter(event)) ?? config.bars;

    const { apiKey } = await client.getJson(config.secretId);

    const quotes = await fetchIntraday({
      apiKey: requireApiKey(apiKey, config.secretId),
      symbol: "AAPL",
      interval: "5min",
      baseUrl: config.alphaVantageBaseUrl,
      timeoutMs: Math.max(1, Math.min(config.timeoutMs, context.getRemainingTimeInMillis() - reserveMs)),
    });
    return json(200, {
      symbol: quotes.symbol,
      interval: quotes.interval,
      timeZone: quotes.timeZone,
      lastRefreshed: quotes.lastRefreshed,
      bars: quotes.bars.slice(0, bars),
    });
  } catch (error) {
    const failure = describeFailure(error);
    console.error(
      JSON.stringify({
        level: "ERROR",
        requestId: context.awsRequestId,
        error: error instanceof Error ? error.name : typeof error,
        message: failure.message,
        // An unexpected error's own message could quote anything: only where it happened is logged.
        ...(failure.unexpected && { stack: stackFrames(error) }),
      }),
    );
    return json(failure.statusCode, { message: failure.message }, failure.headers);
  }
}

/** Maps a failure to a status and a message safe to return: none of these messages holds the key. */
function describeFailure(error: unknown): {
  statusCode: number;
  message: string;
  headers?: Record<string, string>;
  unexpected?: boolean;
} {
  if (error instanceof ConfigError) return { statusCode: 400, message: error.message };
  if (error instanceof AlphaVantageError) {
    if (error.kind === "rate-limited")
      return { statusCode: 429, message: error.message, headers: { "retry-after": "60" } };
    return { statusCode: error.kind === "timeout" ? 504 : 502, message: error.message };
  }
  if (error instanceof BackendUnavailableError) return { statusCode: 503, message: error.message };
  if (error instanceof ApiKeyFieldError || error instanceof CofferClientError) {
    return { statusCode: 500, message: error.message };
  }
  return { statusCode: 500, message: "internal error", unexpected: true };
}

function stackFrames(error: unknown): string[] {
  const stack = error instanceof Error && typeof error.stack === "string" ? error.stack : "";
  return stack
    .split("\n")
    .filter((line) => line.startsWith("    at "))
    .map((line) => line.trim());
}

/** `{ "bars": 5 }` when invoked directly, `?bars=5` through API Gateway or a function URL. */
function barsParameter(event: unknown): string | number | undefined {
  if (typeof event !== "object" || event === null) return undefined;
  const direct: unknown = Reflect.get(event, "bars");
  if (typeof direct === "string" || typeof direct === "number") return direct;
  const query: unknown = Reflect.get(event, "queryStringParameters");
  const fromQuery: unknown =
    typeof query === "object" && query !== null ? Reflect.get(query, "bars") : undefined;
  return typeof fromQuery === "string" ? fromQuery : undefined;
}

function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): LambdaResponse {
  return {
    statusCode,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
    body: JSON.stringify(body),
  };
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** The function Lambda calls: the default client, configured from the environment on first use. */
export const handler = createHandler({ secrets, config: loadConfig() });
