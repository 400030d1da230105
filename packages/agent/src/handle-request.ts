import type { IncomingMessage, ServerResponse } from "node:http";
import type { GetOptions } from "@coffer/client";
import { type AgentError, badQuery, refusals } from "./agent-error.js";
import type { AgentStats } from "./agent-stats.js";
import { backendErrorToAgentError } from "./backend-error.js";
import { forwardingHeader } from "./forwarding.js";
import type { AgentLogger } from "./logger.js";
import { replyAnswer, replyError, replyJson, replyText } from "./reply.js";
import { secretAnswerOf } from "./secret-answer.js";
import {
  PATH_PREFIX,
  parsePathStyle,
  parseQueryStyle,
  type QueryResult,
  type SecretQuery,
} from "./secret-query.js";
import type { AgentSecrets } from "./secrets-port.js";
import { TOKEN_HEADER, type TokenVerdict } from "./token-check.js";

export interface HandlerDependencies {
  secrets: AgentSecrets;
  checkToken: (presented: string | string[] | undefined) => TokenVerdict;
  stats: AgentStats;
  logger: AgentLogger;
}

const QUERY_PATH = "/secretsmanager/get";
/**
 * Secret reads whose parse is remembered (a caller asks for the same few URLs over and over): at
 * most this many, each at most `MAX_REMEMBERED_LENGTH` characters long, so at most ~1 MB.
 */
const MAX_REMEMBERED_TARGETS = 1_000;
const MAX_REMEMBERED_LENGTH = 1_024;

/**
 * One request, checked in this order: forwarding headers (400), token (401/403; `/ping` and
 * `/health` need none, for health probes), method (405), path (404), parameters (400), then the
 * read through the client library.
 */
export function requestHandler(deps: HandlerDependencies) {
  // The parse of a request target depends on nothing else: remember those of valid reads (bounded).
  const targets = new Map<string, ParsedTarget>();
  const parsedTarget = (target: string): ParsedTarget => {
    let parsed = targets.get(target);
    if (parsed === undefined) {
      parsed = parseTarget(target);
      if (parsed.secret?.result.ok === true && target.length <= MAX_REMEMBERED_LENGTH) {
        if (targets.size >= MAX_REMEMBERED_TARGETS) targets.clear();
        targets.set(target, parsed);
      }
    }
    return parsed;
  };
  // Timing a read costs two clock reads (a system call on some machines): only for a debug log.
  const timed = deps.logger.debugEnabled !== false;
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = timed ? performance.now() : 0;
    const { path, secret } = parsedTarget(request.url ?? "/");

    const relayedBy = forwardingHeader(request.headers);
    if (relayedBy !== undefined)
      return fail(deps, request, response, path, refusals.forwarded, { header: relayedBy });
    const open = path === "/ping" || path === "/health";
    if (!open) {
      const verdict = deps.checkToken(request.headers[TOKEN_HEADER]);
      if (verdict === "missing") return fail(deps, request, response, path, refusals.missingToken);
      if (verdict === "wrong") return fail(deps, request, response, path, refusals.wrongToken);
    }
    if (request.method !== "GET") return fail(deps, request, response, path, refusals.methodNotAllowed);

    if (path === "/ping") {
      deps.stats.record(200);
      return replyText(response, 200, "healthy");
    }
    if (path === "/health") {
      deps.stats.record(200);
      return replyJson(response, 200, deps.stats.report());
    }
    if (secret === undefined) return fail(deps, request, response, path, refusals.unknownPath);
    if (!secret.result.ok) return fail(deps, request, response, path, badQuery(secret.result.message));

    const { secretId } = secret.result.query;
    try {
      const record = await deps.secrets.getRecord(secretId, secret.options);
      deps.stats.record(200);
      replyAnswer(response, secretAnswerOf(record));
      if (timed) {
        deps.logger.debug("secret served", {
          path,
          secretId,
          source: record.source,
          status: 200,
          ms: Math.round(performance.now() - started),
        });
      }
    } catch (error) {
      fail(deps, request, response, path, backendErrorToAgentError(error), {
        secretId,
        error: error instanceof Error ? error.name : typeof error,
      });
    }
  };
}

function fail(
  deps: HandlerDependencies,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  error: AgentError,
  fields: Record<string, unknown> = {},
): void {
  deps.stats.record(error.status);
  const level = error.status >= 500 ? "error" : "warn";
  deps.logger[level]("request not served", {
    method: request.method,
    path,
    status: error.status,
    ...fields,
  });
  replyError(response, error);
}

interface ParsedTarget {
  path: string;
  /** Undefined for a path that names no secret. */
  secret: { result: QueryResult; options: GetOptions | undefined } | undefined;
}

function parseTarget(target: string): ParsedTarget {
  // Split by hand rather than with `new URL`, which would resolve `//host/…` and `..` segments.
  const queryStart = target.indexOf("?");
  const path = queryStart === -1 ? target : target.slice(0, queryStart);
  if (path === "/ping" || path === "/health") return { path, secret: undefined };
  const search = new URLSearchParams(queryStart === -1 ? "" : target.slice(queryStart + 1));
  const result = parseSecretRequest(path, search);
  if (result === undefined) return { path, secret: undefined };
  return { path, secret: { result, options: result.ok ? readOptions(result.query) : undefined } };
}

/** The client library's options for a query; none for a plain read of the current version. */
function readOptions({ versionId, versionStage, refreshNow }: SecretQuery): GetOptions | undefined {
  if (versionId === undefined && versionStage === undefined && !refreshNow) return undefined;
  // Shared by every request for the same URL: frozen.
  return Object.freeze({
    ...(versionId !== undefined && { versionId }),
    ...(versionStage !== undefined && { versionStage }),
    ...(refreshNow && { forceFetch: true }),
  });
}

function parseSecretRequest(path: string, search: URLSearchParams): QueryResult | undefined {
  if (path === QUERY_PATH) return parseQueryStyle(search);
  if (path.startsWith(PATH_PREFIX)) return parsePathStyle(path.slice(PATH_PREFIX.length), search);
  return undefined;
}
