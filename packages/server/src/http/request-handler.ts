import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestPipeline } from "../pipeline/pipeline.js";
import type { Reply, TransportCall } from "../pipeline/transport-call.js";
import { JSON_CONTENT_TYPE } from "../pipeline/wire-error.js";
import { type ChangeFeed, isChangeFeedTarget } from "./change-feed/change-feed.js";
import type { ConsoleAssets } from "./console-assets.js";
import { readBody } from "./read-body.js";

export interface HttpHandlerDeps {
  pipeline: RequestPipeline;
  /** `GET /changes`; without it the path is unknown, like any other. */
  changeFeed?: ChangeFeed | undefined;
  /**
   * `GET /ready`: may this node take traffic (its store reachable and migrated, its audit trail
   * writable)? Without it, ready whenever the process answers.
   */
  readiness?: (() => Promise<ProbeReport>) | undefined;
  /** The web console at `/console/` (`http/console-assets.ts`); without it those paths go to the API. */
  console?: ConsoleAssets | undefined;
}

/** A probe's answer: 200 `{"status":"ok"}`, or 503 `{"status":"unavailable", ...details}`. */
export type ProbeReport = { ok: true } | { ok: false; details: Record<string, unknown> };

/** A GET has no body to speak of; this only bounds what a misbehaving client can make us buffer. */
const maxGetBodyBytes = 8 * 1024;

/**
 * The node:http transport: `GET /health` and `/ping` (the process answers), `GET /ready` (this
 * node can serve: {@link HttpHandlerDeps.readiness}), `GET /changes`
 * (the change feed, a streaming call of the pipeline), the web console (`/console/`, and a
 * browser's `GET /`), and everything else handed to the request
 * pipeline (`pipeline/pipeline.ts`), whose reply is written here.
 */
export function createRequestHandler(deps: HttpHandlerDeps) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    const url = request.url ?? "/";
    if (request.method === "GET" && (url === "/health" || url === "/ping")) {
      drain(request).then(() => send(response, probeReply({ ok: true })));
      return;
    }
    if (request.method === "GET" && url === "/ready") {
      const report = deps.readiness?.() ?? Promise.resolve<ProbeReport>({ ok: true });
      Promise.all([report, drain(request)]).then(([ready]) => send(response, probeReply(ready)));
      return;
    }
    if (deps.console?.(request, response)) return;
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
  return new NodeCall(request);
}

/**
 * A node:http request as the pipeline sees it. A class rather than an object literal of closures:
 * its methods live once on the prototype instead of being made anew for every request.
 */
class NodeCall implements TransportCall {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly rawHeaders: readonly string[];
  readonly sourceIp: string;

  constructor(private readonly request: IncomingMessage) {
    this.method = request.method ?? "GET";
    this.url = request.url ?? "/";
    this.headers = request.headers;
    this.rawHeaders = request.rawHeaders;
    this.sourceIp = request.socket.remoteAddress ?? "";
  }

  readBody(maxBytes: number): Promise<Buffer> {
    return readBody(this.request, maxBytes);
  }

  discardBody(): Promise<void> {
    return drain(this.request);
  }
}

function probeReply(report: ProbeReport): Reply {
  const requestId = randomUUID();
  const contentType = JSON_CONTENT_TYPE;
  if (report.ok) return { status: 200, requestId, body: '{"status":"ok"}', contentType };
  const body = JSON.stringify({ status: "unavailable", ...report.details });
  return { status: 503, requestId, body, contentType };
}

function send(response: ServerResponse, reply: Reply) {
  if (response.headersSent) return;
  // A flat array: node writes it as is, without enumerating an object's own keys. Status line,
  // headers and body then leave in one write (end() corks the socket around them).
  const headers: Array<string | number> = [
    "content-type",
    reply.contentType,
    "content-length",
    Buffer.byteLength(reply.body),
    "x-amzn-requestid",
    reply.requestId,
  ];
  if (reply.errorType !== undefined) headers.push("x-amzn-errortype", reply.errorType);
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
