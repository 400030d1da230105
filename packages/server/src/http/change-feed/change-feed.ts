import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { ChangeEvent, ChangeEventBus } from "../../domain/secrets/change-events.js";
import { ThrottlingException, ValidationException } from "../../errors/catalog.js";
import type { Logger } from "../../log/logger.js";
import type { CanReadChange, ChangeFeedCaller } from "./can-read.js";
import { pingFrame, resetFrame, secretChangedFrame } from "./sse-frames.js";

/**
 * `GET /changes`: a Server-Sent Events stream of the change bus, filtered to the caller's region and
 * to what the caller may read (docs/design/client-api.md, "Change feed").
 *
 * The request handler authenticates first; `admit` then throws (a `CofferError`, answered with the
 * AWS JSON error envelope) or, once the subscription is audited, its `open` takes the response over
 * for good. Limits: a bounded number of
 * streams (429 ThrottlingException beyond it — a client can cause it, so never a 5xx) and a bounded
 * write backlog per stream (a subscriber that stops reading is disconnected, not buffered for).
 */

export const defaultPingIntervalMs = 15_000;
export const defaultMaxSubscribers = 1000;
/** About 3,000 typical events; replays come from a bounded ring buffer and are not counted. */
export const defaultMaxBacklogBytes = 1024 * 1024;
/** How long a closing stream may take to flush before its socket is cut. */
const closeGraceMs = 1000;

export { ThrottlingException };

export interface ChangeFeedOptions {
  bus: Pick<ChangeEventBus, "subscribe">;
  /** Authorization of each event for each caller; see `can-read.ts`. */
  canRead: CanReadChange;
  logger: Logger;
  pingIntervalMs?: number;
  maxSubscribers?: number;
  /** Bytes a stream may have queued and unsent before it is dropped. */
  maxBacklogBytes?: number;
}

export interface ChangeFeed {
  /**
   * Checks a stream may start (resume point, stream limit) and throws if not, writing nothing;
   * the returned `open` then takes the response over. The request handler records the
   * subscription in the audit trail between the two, so nothing is streamed unaudited.
   */
  admit(request: IncomingMessage): {
    open(response: ServerResponse, stream: { caller: ChangeFeedCaller; requestId: string }): void;
  };
  readonly subscriberCount: number;
  /**
   * Ends every open stream (clients reconnect, and are admitted again once their subscription can
   * be audited): used when the audit trail fails, so no stream outlives the trail's guarantee.
   */
  endStreams(): void;
  /** Ends every open stream and answers later ones with an empty, ended stream. */
  close(): void;
}

/** `/changes` or `/changes?…`, as the request target arrives. */
export function isChangeFeedTarget(url: string): boolean {
  return url === "/changes" || url.startsWith("/changes?");
}

export function createChangeFeed(options: ChangeFeedOptions): ChangeFeed {
  const pingIntervalMs = options.pingIntervalMs ?? defaultPingIntervalMs;
  const maxSubscribers = options.maxSubscribers ?? defaultMaxSubscribers;
  const maxBacklogBytes = options.maxBacklogBytes ?? defaultMaxBacklogBytes;
  const { bus, canRead, logger } = options;
  const open = new Set<{ end(): void }>();
  let closed = false;

  async function mayRead(caller: ChangeFeedCaller, event: ChangeEvent, requestId: string): Promise<boolean> {
    if (event.region !== caller.region) return false;
    try {
      return (await canRead(caller, event)) === true;
    } catch (error) {
      logger.error("change feed authorization failed", {
        requestId,
        error: error instanceof Error ? error.name : typeof error,
      });
      return false;
    }
  }

  return {
    get subscriberCount() {
      return open.size;
    },

    admit(request) {
      const since = resumePoint(request);
      if (!closed && open.size >= maxSubscribers) {
        throw new ThrottlingException(
          `This server already serves ${maxSubscribers} change feed streams; retry later with backoff.`,
        );
      }
      return { open: (response, stream) => startStream(request, response, stream, since) };
    },

    endStreams() {
      for (const subscriber of [...open]) subscriber.end();
    },

    close() {
      closed = true;
      for (const subscriber of [...open]) subscriber.end();
    },
  };

  function startStream(
    request: IncomingMessage,
    response: ServerResponse,
    { caller, requestId }: { caller: ChangeFeedCaller; requestId: string },
    since: number | undefined,
  ): void {
    const socket: Socket = request.socket;
    let pingTimer: NodeJS.Timeout | undefined;
    let unsubscribe: () => void = () => {};
    let done = false;
    const cleanup = () => {
      if (done) return;
      done = true;
      clearInterval(pingTimer);
      unsubscribe();
      open.delete(subscriber);
    };
    const write = (frame: string, checkBacklog: boolean) => {
      if (done || response.destroyed || response.writableEnded) return;
      response.write(frame);
      if (checkBacklog && response.writableNeedDrain && response.writableLength > maxBacklogBytes) {
        logger.warn("change feed subscriber dropped: it stopped reading", {
          requestId,
          accessKeyId: caller.accessKeyId,
          backlogBytes: response.writableLength,
        });
        cleanup();
        response.destroy();
      }
    };
    const subscriber = {
      end: () => {
        cleanup();
        if (response.destroyed) return;
        const cut = setTimeout(() => socket.destroy(), closeGraceMs);
        cut.unref();
        response.end(() => {
          clearTimeout(cut);
          socket.destroy();
        });
      },
    };

    // Authorization may look things up; a chain keeps events in order.
    let delivered: Promise<void> = Promise.resolve();
    const deliver = (event: ChangeEvent, checkBacklog: boolean) => {
      delivered = delivered.then(async () => {
        if (await mayRead(caller, event, requestId)) write(secretChangedFrame(event), checkBacklog);
      });
    };
    const subscription = bus.subscribe((event) => deliver(event, true), since);
    unsubscribe = subscription.unsubscribe;
    open.add(subscriber);
    response.on("close", cleanup);
    response.on("error", cleanup);
    if (socket.destroyed || response.destroyed) {
      // The client left while it was being authenticated: "close" has already fired.
      cleanup();
      return;
    }

    response.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-amzn-requestid": requestId,
      // Proxies such as nginx would otherwise hold events back.
      "x-accel-buffering": "no",
    });
    response.flushHeaders();
    if (closed) {
      subscriber.end();
      return;
    }
    if (subscription.resume.kind === "reset") {
      write(resetFrame(subscription.lastId), false);
    } else {
      for (const event of subscription.resume.events) deliver(event, false);
    }
    pingTimer = setInterval(() => write(pingFrame, true), pingIntervalMs);
    pingTimer.unref();
  }
}

/** The resume point: `Last-Event-ID` (sent by a reconnecting EventSource) wins over `?since=`. */
function resumePoint(request: IncomingMessage): number | undefined {
  const header = request.headers["last-event-id"];
  const fromHeader = typeof header === "string" ? header.trim() : "";
  if (fromHeader !== "") return parseEventId(fromHeader, "The Last-Event-ID header");
  const url = request.url ?? "";
  const queryStart = url.indexOf("?");
  if (queryStart < 0) return undefined;
  const since = new URLSearchParams(url.slice(queryStart + 1)).get("since");
  return since === null ? undefined : parseEventId(since.trim(), "The since parameter");
}

function parseEventId(text: string, what: string): number {
  const id = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(id)) {
    const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
    throw new ValidationException(
      `${what} must be an event id from this feed (a whole number), got '${shown}'.`,
    );
  }
  return id;
}
