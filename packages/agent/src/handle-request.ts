import type { IncomingMessage, ServerResponse } from "node:http";
import { type AgentError, badQuery, refusals } from "./agent-error.js";
import type { AgentStats } from "./agent-stats.js";
import { backendErrorToAgentError } from "./backend-error.js";
import { forwardingHeader } from "./forwarding.js";
import type { AgentLogger } from "./logger.js";
import { replyError, replyJson, replyText } from "./reply.js";
import { PATH_PREFIX, parsePathStyle, parseQueryStyle, type QueryResult } from "./secret-query.js";
import { toGetSecretValueResponse } from "./secret-response.js";
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
 * One request, checked in this order: forwarding headers (400), token (401/403; `/ping` and
 * `/health` need none, for health probes), method (405), path (404), parameters (400), then the
 * read through the client library.
 */
export function requestHandler(deps: HandlerDependencies) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = performance.now();
    // Split by hand rather than with `new URL`, which would resolve `//host/…` and `..` segments.
    const target = request.url ?? "/";
    const queryStart = target.indexOf("?");
    const path = queryStart === -1 ? target : target.slice(0, queryStart);
    const search = new URLSearchParams(queryStart === -1 ? "" : target.slice(queryStart + 1));
    const fail = (error: AgentError, fields: Record<string, unknown> = {}) => {
      deps.stats.record(error.status);
      const level = error.status >= 500 ? "error" : "warn";
      deps.logger[level]("request not served", {
        method: request.method,
        path,
        status: error.status,
        ...fields,
      });
      replyError(response, error);
    };

    const relayedBy = forwardingHeader(request.headers);
    if (relayedBy !== undefined) return fail(refusals.forwarded, { header: relayedBy });
    const open = path === "/ping" || path === "/health";
    if (!open) {
      const verdict = deps.checkToken(request.headers[TOKEN_HEADER]);
      if (verdict === "missing") return fail(refusals.missingToken);
      if (verdict === "wrong") return fail(refusals.wrongToken);
    }
    if (request.method !== "GET") return fail(refusals.methodNotAllowed);

    if (path === "/ping") {
      deps.stats.record(200);
      return replyText(response, 200, "healthy");
    }
    if (path === "/health") {
      deps.stats.record(200);
      return replyJson(response, 200, deps.stats.report());
    }
    const parsed = parseSecretRequest(path, search);
    if (parsed === undefined) return fail(refusals.unknownPath);
    if (!parsed.ok) return fail(badQuery(parsed.message));

    const { secretId, versionId, versionStage, refreshNow } = parsed.query;
    try {
      const record = await deps.secrets.getRecord(secretId, {
        ...(versionId !== undefined && { versionId }),
        ...(versionStage !== undefined && { versionStage }),
        ...(refreshNow && { forceFetch: true }),
      });
      deps.stats.record(200);
      replyJson(response, 200, toGetSecretValueResponse(record));
      deps.logger.debug("secret served", {
        path,
        secretId,
        source: record.source,
        status: 200,
        ms: Math.round(performance.now() - started),
      });
    } catch (error) {
      fail(backendErrorToAgentError(error), {
        secretId,
        error: error instanceof Error ? error.name : typeof error,
      });
    }
  };
}

function parseSecretRequest(path: string, search: URLSearchParams): QueryResult | undefined {
  if (path === QUERY_PATH) return parseQueryStyle(search);
  if (path.startsWith(PATH_PREFIX)) return parsePathStyle(path.slice(PATH_PREFIX.length), search);
  return undefined;
}
