import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuditHealth } from "../audit/audit-log.js";
import type { RequestPipeline } from "../pipeline/pipeline.js";
import type { Reply, TransportCall } from "../pipeline/transport-call.js";
import { type ChangeFeed, isChangeFeedTarget } from "./change-feed/change-feed.js";
import { readBody } from "./read-body.js";

export interface HttpHandlerDeps {
  pipeline: RequestPipeline;
  /** `GET /changes`; without it the path is unknown, like any other. */
  changeFeed?: ChangeFeed | undefined;
  /** The audit trail's state, for `/health` and `/ready`; without it they answer ok. */
  auditHealth?: (() => AuditHealth) | undefined;
}

/** A GET has no body to speak of; this only bounds what a misbehaving client can make us buffer. */
const maxGetBodyBytes = 8 * 1024;

/**
 * The node:http transport: `GET /health` and `/ready` (the audit trail's state), `GET /changes`
 * (the change feed, a streaming call of the pipeline), and everything else handed to the request
 * pipeline (`pipeline/pipeline.ts`), whose reply is written here.
 */
export function createRequestHandler(deps: HttpHandlerDeps) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    const url = request.url ?? "/";
    if (request.method === "GET" && (url === "/health" || url === "/ready" || url === "/ping")) {
      drain(request).then(() => send(response, healthReply(deps.auditHealth?.() ?? { ok: true })));
      return;
    }
    const call = callOf(request);
    if (request.method === "GET" && deps.changeFeed && isChangeFeedTarget(url)) {
      const feed = deps.changeFeed;
      deps.pipeline
        .stream(call, "SubscribeToChanges", maxGetBodyBytes, (caller) => {
          const stream = feed.admit(request);
          return (requestId) =>
            stream.open(response, {
              caller: { accessKeyId: caller.accessKeyId, principal: caller.principal, region: caller.region },
              requestId,
            });
        })
        .then((reply) => reply && send(response, reply));
      return;
    }
    deps.pipeline.handle(call).then((reply) => send(response, reply));
  };
}

function callOf(request: IncomingMessage): TransportCall {
  return {
    method: request.method ?? "GET",
    url: request.url ?? "/",
    headers: request.headers,
    rawHeaders: request.rawHeaders,
    sourceIp: request.socket.remoteAddress ?? "",
    readBody: (maxBytes) => readBody(request, maxBytes),
    discardBody: () => drain(request),
  };
}

function healthReply(health: AuditHealth): Reply {
  const requestId = randomUUID();
  if (health.ok) return { status: 200, requestId, body: '{"status":"ok"}' };
  const body = {
    status: "unavailable",
    auditTrail: {
      status: "failing",
      since: new Date(health.since).toISOString(),
      reason: health.reason,
      refusedRequests: health.refusedEvents,
    },
  };
  return { status: 503, requestId, body: JSON.stringify(body) };
}

function send(response: ServerResponse, reply: Reply) {
  if (response.headersSent) return;
  const headers: Record<string, string | number> = {
    "content-type": "application/x-amz-json-1.1",
    "content-length": Buffer.byteLength(reply.body),
    "x-amzn-requestid": reply.requestId,
  };
  if (reply.errorType !== undefined) headers["x-amzn-errortype"] = reply.errorType;
  response.writeHead(reply.status, headers);
  response.end(reply.body);
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
