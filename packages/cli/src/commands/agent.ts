import {
  type AgentHost,
  AgentOptionsError,
  countCacheEvents,
  DEFAULT_AGENT_PORT,
  type RunningAgent,
  startAgent,
} from "@coffer/agent";
import type { SecretsClient, SecretsOptions } from "@coffer/client";
import type { ConnectionOptions } from "../client.js";
import type { Output } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { ExitCode } from "../exit-codes.js";
import { readAgentToken } from "../run/agent-token.js";
import { applyProfile, chooseSources } from "../run/choose-sources.js";
import { asCliFailure } from "../run/client-failure.js";
import { integerOption } from "../run/numeric-option.js";
import { jsonLinesLogger, logLevelFrom } from "../run/stderr-logger.js";
import { untilStopSignal } from "../run/stop-signal.js";

export const AGENT_HELP = `
Callers send the token in the X-Aws-Parameters-Secrets-Token header:
  curl -H "X-Aws-Parameters-Secrets-Token: $COFFER_AGENT_TOKEN" \\
    "http://127.0.0.1:2773/secretsmanager/get?secretId=prod/db"
Also GET /v1/prod/db; parameters versionId, versionStage, refreshNow=true.
Answers: 200 GetSecretValue JSON; 400 bad query, or X-Forwarded-For present; 401 no token;
403 wrong token, or access denied; 404 no such secret; 502 backend unreachable.
GET /ping answers "healthy", GET /health counts (neither needs the token).
--report-metrics <seconds> (or COFFER_AGENT_REPORT_METRICS) reports cache hits, misses and cold
starts to Coffer that often (needs coffer:ReportClientMetrics); report failures are logged.
Logs JSON lines on stderr (COFFER_LOG_LEVEL=debug: every request); never a value or the token.
Runs until SIGINT or SIGTERM.`;

export interface AgentCommandOptions {
  port?: string;
  host?: string;
  tokenFile?: string;
  ttl?: string;
  maxSize?: string;
  source?: string;
  reportMetrics?: string;
}

export interface AgentCommandDependencies {
  env: NodeJS.ProcessEnv;
  /** The URL, once listening. */
  stdout: Output;
  /** Logs (JSON lines, never a value or the token). */
  stderr: Output;
  /** The global --endpoint-url and --region. */
  connection: ConnectionOptions;
  openSecrets: (options: SecretsOptions) => SecretsClient | Promise<SecretsClient>;
  /** Resolves when the agent should stop; SIGINT or SIGTERM by default. */
  untilStopped?: () => Promise<string>;
}

/**
 * `coffer agent`: serves the AWS Secrets Manager Agent protocol on loopback, reading through the
 * client library (whose cache --ttl and --max-size configure), until SIGINT or SIGTERM.
 */
export async function runAgent(options: AgentCommandOptions, deps: AgentCommandDependencies): Promise<void> {
  const token = await readAgentToken(options.tokenFile, deps.env);
  const port = integerOption("--port", options.port, 0, 65_535) ?? DEFAULT_AGENT_PORT;
  const host = loopbackHost(options.host);
  const ttlSeconds = integerOption("--ttl", options.ttl, 0);
  const maxEntries = integerOption("--max-size", options.maxSize, 1);
  const reportSeconds = reportMetricsSeconds(options.reportMetrics, deps.env);
  applyProfile(deps.connection);
  const sources = await chooseSources(options.source, deps.connection, deps.env);
  if (sources.some(isAgentSource)) {
    throw new UsageError("coffer agent cannot read from an agent source: it would ask itself");
  }

  const cacheCounter = countCacheEvents();
  const logger = jsonLinesLogger(deps.stderr, logLevelFrom(deps.env));
  const secrets = await openOrExplain(deps.openSecrets, {
    sources,
    cache: cacheOptions(ttlSeconds, maxEntries),
    onFetch: cacheCounter.onFetch,
    ...(reportSeconds !== undefined && {
      reportMetrics: { intervalSeconds: reportSeconds, kind: "agent" as const },
    }),
    // Failures the caller does not see: a stale value served, a background refresh, the change feed.
    onError: (error, context) =>
      logger.warn("backend error", { ...context, error: error.name, message: error.message }),
  });
  try {
    const agent = await listen(() =>
      startAgent({ secrets, token, port, host, logger, cacheStats: cacheCounter.snapshot }),
    );
    deps.stdout.write(`coffer agent listening on ${agent.url}\n`);
    const signal = await (deps.untilStopped ?? untilStopSignal)();
    logger.info("agent stopping", { signal });
    await agent.close();
  } finally {
    await secrets.close();
  }
}

/**
 * --report-metrics, else COFFER_AGENT_REPORT_METRICS: seconds between reports of the agent's cache
 * figures to Coffer (coffer.ReportClientMetrics); absent or 0, nothing is reported.
 */
function reportMetricsSeconds(option: string | undefined, env: NodeJS.ProcessEnv): number | undefined {
  const fromEnv = env.COFFER_AGENT_REPORT_METRICS;
  const seconds =
    option !== undefined
      ? integerOption("--report-metrics", option, 0, 86_400)
      : fromEnv !== undefined && fromEnv !== ""
        ? integerOption("COFFER_AGENT_REPORT_METRICS", fromEnv, 0, 86_400)
        : undefined;
  return seconds === 0 ? undefined : seconds;
}

/** --ttl 0 turns the cache off; options not given keep the client library's defaults. */
function cacheOptions(
  ttlSeconds: number | undefined,
  maxEntries: number | undefined,
): SecretsOptions["cache"] {
  if (ttlSeconds === 0) return false;
  return {
    ...(ttlSeconds !== undefined && { ttlMs: ttlSeconds * 1000 }),
    ...(maxEntries !== undefined && { maxEntries }),
  };
}

function isAgentSource(source: NonNullable<SecretsOptions["sources"]>[number]): boolean {
  return typeof source === "string" ? source === "agent" : "kind" in source && source.kind === "agent";
}

async function openOrExplain(
  open: AgentCommandDependencies["openSecrets"],
  options: SecretsOptions,
): Promise<SecretsClient> {
  try {
    return await open(options);
  } catch (error) {
    throw asCliFailure(error);
  }
}

function loopbackHost(host: string | undefined): AgentHost {
  if (host === undefined || host === "127.0.0.1" || host === "::1") return host ?? "127.0.0.1";
  throw new UsageError(
    `--host must be 127.0.0.1 or ::1 (the agent never listens on a network), got "${host}"`,
  );
}

async function listen(start: () => Promise<RunningAgent>): Promise<RunningAgent> {
  try {
    return await start();
  } catch (error) {
    if (error instanceof AgentOptionsError) throw new UsageError(error.message);
    const code = error instanceof Error && "code" in error ? error.code : undefined;
    if (code === "EADDRINUSE" || code === "EACCES" || code === "EADDRNOTAVAIL") {
      const reason = code === "EADDRINUSE" ? "the port is in use" : code;
      throw new CliError(`coffer agent cannot listen: ${reason}; choose another --port`, ExitCode.Usage);
    }
    throw error;
  }
}
