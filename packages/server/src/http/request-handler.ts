import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../app/logger.js";
import { stackFramesOf } from "../app/logger.js";
import type { AuditHealth } from "../audit/audit-log.js";
import { AuditWriteError } from "../audit/audit-write-error.js";
import { isReadOnlyOperation } from "../audit/event.js";
import { type AccessKeyRegistry, sessionTokenMatches } from "../auth/access-keys.js";
import type { Authorizer } from "../domain/access/authorizer.js";
import {
  CofferError,
  ExpiredTokenException,
  InvalidSignatureException,
  ServiceUnavailableException,
  UnknownOperationException,
  UnrecognizedClientException,
  UnsupportedMediaTypeException,
} from "../domain/errors.js";
import type { Api } from "../operations/api.js";
import type { OperationContext, OperationServices } from "../operations/operation.js";
import { type ChangeFeed, isChangeFeedTarget } from "./change-feed/change-feed.js";
import { parseJsonObject } from "./parse-json.js";
import { readBody } from "./read-body.js";
import type { RequestAudit, RequestRecord } from "./request-audit.js";
import { type createSigV4Verifier, missingAuthorization } from "./sigv4/index.js";
import { toWireError } from "./wire-error.js";

export interface RequestHandlerDeps {
  apis: readonly Api[];
  services: OperationServices;
  verifier: ReturnType<typeof createSigV4Verifier>;
  accessKeys: AccessKeyRegistry;
  authorizer: Authorizer;
  audit: RequestAudit;
  logger: Logger;
  maxBodyBytes: number;
  now: () => number;
  /** `GET /changes`; without it the path is unknown, like any other. */
  changeFeed?: ChangeFeed | undefined;
  /** The audit trail's state, for `/health` and `/ready`; without it they answer ok. */
  auditHealth?: (() => AuditHealth) | undefined;
}

const jsonContentTypes = new Set(["application/x-amz-json-1.1", "application/x-amz-json-1.0"]);
const credentialPattern = /Credential=([^/,\s]+)\//;
/** A GET has no body to speak of; this only bounds what a misbehaving client can make us buffer. */
const maxGetBodyBytes = 8 * 1024;
const invalidToken = "The security token included in the request is invalid.";

/** What one request produced, for the answer and for its audit record. */
interface Outcome {
  record: RequestRecord;
  result?: object;
  /** A change-feed stream: audited before it opened, and answered by itself. */
  streamed?: boolean;
}

const auditRefusal =
  "The audit trail cannot be written, so this request was refused and nothing was changed or read. Retry later; the server recovers by itself once the trail can be written.";
const outcomeUnrecorded =
  "The change was made, but the audit trail could not record its outcome (its intent is recorded). Retry later with the same ClientRequestToken; the retry is safe.";

/**
 * `POST /` with `X-Amz-Target`: framing (path, content type, target, size), then SigV4 and the
 * key's state, then JSON and model validation, then authorization and the operation. Every
 * request, whatever its outcome, is recorded in the audit trail before it is answered; if that
 * record cannot be written the request fails with a retryable 503. A change is audited AHEAD as
 * well (docs/adr/0005): its intent is recorded before the operation runs, so no change can exist
 * without its event, whatever fails or crashes afterwards. Only an unexpected fault becomes a 500.
 *
 * Also `GET /changes` (the change feed): SigV4 over the empty body, the subscription recorded,
 * then the stream takes over. `GET /health` and `GET /ready` report the audit trail's state.
 */
export function createRequestHandler(deps: RequestHandlerDeps) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    const requestId = randomUUID();
    const started = performance.now();
    const record: RequestRecord = {
      operation: undefined,
      api: "secretsmanager",
      region: undefined,
      caller: undefined,
      claimedAccessKeyId: undefined,
      sourceIp: request.socket.remoteAddress ?? "",
      userAgent: header(request, "user-agent"),
      requestId,
      time: deps.now(),
      input: undefined,
      output: undefined,
      error: undefined,
    };
    handle(request, response, record)
      .then(async (outcome) => {
        if (outcome === "health") return sendHealth(response, requestId);
        if (outcome.streamed) return;
        record.output = outcome.result;
        try {
          await deps.audit(record);
        } catch (auditError) {
          throw record.intended ? new OutcomeUnrecorded(auditError) : auditError;
        }
        send(response, 200, requestId, JSON.stringify(outcome.result));
      })
      .catch(async (error: unknown) => {
        if (error instanceof AuditWriteError || error instanceof OutcomeUnrecorded) {
          // The trail is failing: one line says so (the log's own outage report says since when);
          // trying to record this refusal would fail the same way.
          return refuse(response, requestId, error);
        }
        const wire = toWireError(error, requestId);
        logFailure(error, wire.awsName, requestId);
        record.error = { awsName: wire.awsName, message: messageOf(error, wire.body) };
        try {
          await deps.audit(record);
        } catch (auditError) {
          return refuse(response, requestId, auditError);
        }
        send(response, wire.status, requestId, wire.body, wire.awsName);
      })
      .catch((error: unknown) => {
        logFailure(error, "InternalServiceError", requestId);
        const failed = toWireError(error, requestId);
        send(response, failed.status, requestId, failed.body, failed.awsName);
      })
      .finally(() => {
        if (!deps.logger.enabled("debug")) return;
        deps.logger.debug("request", {
          requestId,
          target: request.headers["x-amz-target"],
          status: response.statusCode,
          ms: Math.round((performance.now() - started) * 100) / 100,
        });
      });
  };

  /** 503: the audit trail failed, so the request is refused (or, after a change, unconfirmed). */
  function refuse(response: ServerResponse, requestId: string, error: unknown) {
    const changed = error instanceof OutcomeUnrecorded;
    const cause = changed ? error.cause : error;
    deps.logger.error("request refused: the audit trail cannot be written", {
      requestId,
      changed,
      cause:
        cause instanceof Error
          ? ((cause.cause as { code?: string } | undefined)?.code ?? cause.name)
          : "unknown",
    });
    const failed = toWireError(
      new ServiceUnavailableException(changed ? outcomeUnrecorded : auditRefusal),
      requestId,
    );
    send(response, failed.status, requestId, failed.body, failed.awsName);
  }

  function sendHealth(response: ServerResponse, requestId: string) {
    const health = deps.auditHealth?.() ?? { ok: true };
    if (health.ok) return send(response, 200, requestId, '{"status":"ok"}');
    const body = {
      status: "unavailable",
      auditTrail: {
        status: "failing",
        since: new Date(health.since).toISOString(),
        reason: health.reason,
        refusedRequests: health.refusedEvents,
      },
    };
    send(response, 503, requestId, JSON.stringify(body));
  }

  function logFailure(error: unknown, awsName: string, requestId: string) {
    if (!(error instanceof CofferError)) {
      deps.logger.error("unexpected error", {
        requestId,
        error: error instanceof Error ? error.name : typeof error,
        stack: stackFramesOf(error),
      });
    } else if (error.fault === "server") {
      deps.logger.error("server fault", { requestId, error: awsName, cause: causeName(error) });
    }
  }

  async function handle(
    request: IncomingMessage,
    response: ServerResponse,
    record: RequestRecord,
  ): Promise<Outcome | "health"> {
    const url = request.url ?? "/";
    if (request.method === "GET" && (url === "/health" || url === "/ready" || url === "/ping")) {
      await drain(request);
      return "health";
    }
    if (request.method === "GET" && deps.changeFeed && isChangeFeedTarget(url)) {
      record.operation = "SubscribeToChanges";
      const body = await readBody(request, maxGetBodyBytes);
      const caller = await authenticate(request, body, record);
      const stream = deps.changeFeed.admit(request);
      // Recorded before the first byte of the stream: no disclosure goes unaudited.
      await deps.audit(record);
      stream.open(response, {
        caller: { accessKeyId: caller.accessKeyId, principal: caller.principal, region: caller.region },
        requestId: record.requestId,
      });
      return { record, streamed: true };
    }
    if (request.method !== "POST" || (url !== "/" && !url.startsWith("/?"))) {
      await drain(request);
      throw new UnknownOperationException(
        `Coffer answers AWS Secrets Manager requests at POST / (got ${request.method} ${truncate(url)}).`,
      );
    }
    const contentType = (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (!jsonContentTypes.has(contentType)) {
      await drain(request);
      throw new UnsupportedMediaTypeException(
        `Content-Type must be application/x-amz-json-1.1 (got '${truncate(contentType)}').`,
      );
    }
    const target = header(request, "x-amz-target");
    const api = target === undefined ? undefined : deps.apis.find((a) => target.startsWith(a.targetPrefix));
    const operationName = api && target ? target.slice(api.targetPrefix.length) : undefined;
    const operation = api && operationName !== undefined ? api.operations[operationName] : undefined;
    if (!api || operationName === undefined || operation === undefined) {
      await drain(request);
      throw new UnknownOperationException(
        target !== undefined
          ? `Unknown operation '${truncate(target)}'; X-Amz-Target must be secretsmanager.<Operation> or coffer.<Operation>.`
          : "Missing X-Amz-Target header; it must name the operation, e.g. secretsmanager.GetSecretValue.",
      );
    }
    record.api = api.targetPrefix.slice(0, -1);
    record.operation = operationName;
    const body = await readBody(request, deps.maxBodyBytes);
    const caller = await authenticate(request, body, record);
    const input = parseJsonObject(body);
    record.input = input;
    api.validate(operationName, input);
    const scope = {
      region: caller.region,
      caller: { principal: caller.principal, accessKeyId: caller.accessKeyId, sourceIp: record.sourceIp },
    };
    const globalResource = api.globalResource(operationName, input);
    if (globalResource !== undefined) {
      await deps.authorizer.check(
        scope.caller,
        `${api.actionPrefix}${operationName}`,
        globalResource === "*" ? "*" : { arn: globalResource },
      );
    }
    if (!isReadOnlyOperation(operationName)) {
      for (const member of api.idempotencyTokens?.(operationName) ?? []) {
        // As every AWS SDK does, so the intent below names the version the change will create.
        if (input[member] === undefined) input[member] = randomUUID();
      }
      // Write-ahead: the change is announced before it can happen (docs/adr/0005).
      await deps.audit({ ...record, intent: true });
      record.intended = true;
    }
    const context: OperationContext = {
      scope,
      requestId: record.requestId,
      caller: { accessKeyId: caller.accessKeyId, principal: caller.principal },
      sourceIp: record.sourceIp,
    };
    return { record, result: await operation(input, context, deps.services) };
  }

  /** SigV4, then the key's own state: expiry, session token, last use. */
  async function authenticate(request: IncomingMessage, body: Buffer, record: RequestRecord) {
    const authorization = request.headers.authorization;
    // A presigned URL gets its own message rather than "Missing Authentication Token".
    if (authorization === undefined) throw missingAuthorization(request.url ?? "/");
    const accessKeyId = credentialPattern.exec(authorization)?.[1];
    record.claimedAccessKeyId = accessKeyId;
    const key = accessKeyId !== undefined ? await deps.accessKeys.lookup(accessKeyId) : undefined;
    const verified = deps.verifier.verify(
      {
        method: request.method ?? "POST",
        rawUrl: request.url ?? "/",
        headers: request.headers,
        // Node merges or drops repeated headers; the verifier refuses repeats of the signing ones.
        rawHeaders: request.rawHeaders,
        body,
      },
      { secretFor: (id) => (id === accessKeyId ? key?.secret : undefined) },
    );
    if (!key || accessKeyId === undefined) throw new UnrecognizedClientException(invalidToken);
    if (verified.accessKeyId !== accessKeyId) throw new InvalidSignatureException("Credential mismatch.");
    record.region = verified.region;
    if (key.expiresAt !== undefined && key.expiresAt <= deps.now()) {
      throw new ExpiredTokenException("The security token included in the request is expired.");
    }
    const tokenOk =
      key.sessionTokenHash === undefined
        ? verified.sessionToken === undefined
        : sessionTokenMatches(verified.sessionToken, key.sessionTokenHash);
    if (!tokenOk) throw new UnrecognizedClientException(invalidToken);
    record.caller = { principal: key.principal, accessKeyId };
    deps.accessKeys.recordUse(accessKeyId, record.sourceIp);
    return { ...verified, principal: key.principal };
  }
}

function send(response: ServerResponse, status: number, requestId: string, body: string, errorType?: string) {
  if (response.headersSent) return;
  const headers: Record<string, string | number> = {
    "content-type": "application/x-amz-json-1.1",
    "content-length": Buffer.byteLength(body),
    "x-amzn-requestid": requestId,
  };
  if (errorType !== undefined) headers["x-amzn-errortype"] = errorType;
  response.writeHead(status, headers);
  response.end(body);
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === "string" ? value : undefined;
}

function messageOf(error: unknown, wireBody: string): string {
  if (error instanceof CofferError) return error.message;
  return (JSON.parse(wireBody) as { message: string }).message;
}

/** Discards a body we will not read, so keep-alive connections stay usable. */
function drain(request: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (request.readableEnded) return resolve();
    request.on("end", resolve);
    request.on("error", () => resolve());
    request.resume();
  });
}

function truncate(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

function causeName(error: Error): string | undefined {
  return error.cause instanceof Error ? error.cause.name : undefined;
}

/** A change was made but its outcome event could not be written; its intent event stands. */
class OutcomeUnrecorded extends Error {
  constructor(cause: unknown) {
    super("The outcome of a change could not be recorded.", { cause });
    this.name = "OutcomeUnrecorded";
  }
}
