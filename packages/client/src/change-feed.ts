import { type ClientRequest, request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { AccessDeniedError, BackendUnavailableError, CofferClientError } from "./errors.js";
import { type SigningTarget, signedHeaders } from "./signed-headers.js";

/** Where the feed is (`GET <endpoint>/changes`) and how to sign for it. */
export type FeedTarget = SigningTarget;

/** The `data` of a `secret-changed` event. Never a value. */
export interface SecretChangedEvent {
  ARN?: string;
  Name?: string;
  Region?: string;
  /** The version now holding AWSCURRENT; absent after a delete. */
  VersionId?: string;
  Operation?: string;
  EventTime?: number;
}

export interface ChangeFeedOptions {
  target: () => Promise<FeedTarget>;
  onChange: (event: SecretChangedEvent) => void;
  /** Everything may have changed: the server's buffer no longer reaches back to our Last-Event-ID, or we reconnected without one. */
  onReset: () => void;
  onError: (error: Error) => void;
  /** Each successful (re)connection. */
  onOpen?: () => void;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Silence after which the stream is presumed dead and reopened (the server pings every 15 s). Default 45 s. */
  idleTimeoutMs?: number;
}

export type ChangeFeedState = "idle" | "connecting" | "open" | "waiting" | "unsupported" | "closed";

const MAX_ERROR_BODY = 64 * 1024;

/**
 * Subscriber to Coffer's `GET /changes` (Server-Sent Events), SigV4-signed with `@smithy/signature-v4`
 * like any other request. Parses with `eventsource-parser`, keeps the last event id and resumes
 * with `Last-Event-ID`, reconnects with exponential backoff and jitter (honouring the server's
 * `retry:`). A server without the feed (400 UnknownOperationException / 404) ends it: TTL only.
 * Its socket and timers are unref'd, so an open subscription never keeps a process alive.
 */
export class ChangeFeed {
  readonly #options: ChangeFeedOptions;
  readonly #initialDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #idleTimeoutMs: number;
  #state: ChangeFeedState = "idle";
  #lastEventId: string | undefined;
  #request: ClientRequest | undefined;
  #timer: NodeJS.Timeout | undefined;
  #attempt = 0;
  #serverRetryMs: number | undefined;
  #connectedBefore = false;
  /** The Last-Event-ID sent with the request under way. */
  #resumingFrom: string | undefined;

  constructor(options: ChangeFeedOptions) {
    this.#options = options;
    this.#initialDelayMs = options.initialDelayMs ?? 500;
    this.#maxDelayMs = options.maxDelayMs ?? 30_000;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 45_000;
  }

  get state(): ChangeFeedState {
    return this.#state;
  }

  get lastEventId(): string | undefined {
    return this.#lastEventId;
  }

  start(): void {
    if (this.#state !== "idle") return;
    void this.#connect();
  }

  async close(): Promise<void> {
    this.#state = "closed";
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const request = this.#request;
    this.#request = undefined;
    request?.destroy();
  }

  async #connect(): Promise<void> {
    if (this.#state === "closed" || this.#state === "unsupported") return;
    this.#state = "connecting";
    let url: URL;
    let headers: Record<string, string>;
    try {
      const target = await this.#options.target();
      url = new URL("changes", target.url.href.endsWith("/") ? target.url.href : `${target.url.href}/`);
      const unsigned: Record<string, string> = { accept: "text/event-stream" };
      this.#resumingFrom = this.#lastEventId;
      if (this.#lastEventId !== undefined) unsigned["last-event-id"] = this.#lastEventId;
      headers = await signedHeaders(target, { method: "GET", url, headers: unsigned });
    } catch (error) {
      const why = error instanceof Error ? `${error.name}: ${error.message}` : "unknown error";
      this.#fail(
        new AccessDeniedError("coffer", `change feed: cannot prepare the signed request (${why})`, {
          cause: error,
        }),
      );
      return;
    }
    if (this.#isClosed()) return;
    const request = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, {
      method: "GET",
      headers,
      agent: false,
    });
    this.#request = request;
    request.on("socket", (socket) => socket.unref());
    request.on("response", (response) => this.#respond(request, response));
    request.on("error", (error) => {
      if (this.#request !== request) return;
      this.#request = undefined;
      this.#fail(
        new BackendUnavailableError("coffer", `change feed: cannot reach ${url.origin}`, { cause: error }),
      );
    });
    request.end();
  }

  #respond(request: ClientRequest, response: IncomingMessage): void {
    if (this.#request !== request) {
      response.destroy();
      return;
    }
    if (response.statusCode !== 200) {
      this.#refused(request, response);
      return;
    }
    this.#attempt = 0;
    this.#state = "open";
    const resumedBlind = this.#connectedBefore && this.#lastEventId === undefined;
    this.#connectedBefore = true;
    if (resumedBlind) this.#options.onReset();
    this.#options.onOpen?.();
    const parser = createParser({
      onEvent: (event) => this.#event(event),
      onRetry: (milliseconds) => {
        this.#serverRetryMs = milliseconds;
      },
    });
    // A connection that died without a FIN sends nothing, not even the server's pings: reopen it.
    const idle = setTimeout(() => request.destroy(), this.#idleTimeoutMs);
    idle.unref();
    response.setEncoding("utf8");
    response.on("data", (chunk: string) => {
      idle.refresh();
      parser.feed(chunk);
    });
    const ended = () => {
      clearTimeout(idle);
      if (this.#request !== request) return;
      this.#request = undefined;
      this.#fail(new BackendUnavailableError("coffer", "change feed: the stream ended; reconnecting"));
    };
    response.on("end", ended);
    response.on("close", ended);
    response.on("error", ended);
  }

  #refused(request: ClientRequest, response: IncomingMessage): void {
    const status = response.statusCode ?? 0;
    let body = "";
    response.setEncoding("utf8");
    response.on("data", (chunk: string) => {
      if (body.length < MAX_ERROR_BODY) body += chunk;
    });
    response.on("error", () => {});
    response.on("end", () => {
      if (this.#request !== request) return;
      this.#request = undefined;
      const type = errorType(body);
      const what = `${status}${type === undefined ? "" : ` ${type}`}`;
      if (status === 404 || (status === 400 && type === "UnknownOperationException")) {
        this.#state = "unsupported";
        this.#options.onError(
          new CofferClientError(
            `change feed: the server does not offer GET /changes (${what}); values refresh by TTL only.`,
          ),
        );
        return;
      }
      if (status === 400 && type === "ValidationException" && this.#resumingFrom !== undefined) {
        // The server cannot resume from our id (another server, a wiped buffer): start afresh, and
        // since anything may have changed meanwhile, say so.
        this.#lastEventId = undefined;
        this.#connectedBefore = false;
        this.#options.onReset();
      }
      this.#fail(
        status === 401 || status === 403
          ? new AccessDeniedError("coffer", `change feed: refused (${what})`)
          : new BackendUnavailableError("coffer", `change feed: answered ${what}`),
      );
    });
  }

  #event(event: EventSourceMessage): void {
    if (event.id !== undefined && event.id !== "") this.#lastEventId = event.id;
    if (event.event === "reset") {
      this.#options.onReset();
    } else if (event.event === "secret-changed") {
      let data: SecretChangedEvent;
      try {
        data = JSON.parse(event.data) as SecretChangedEvent;
      } catch {
        this.#options.onError(
          new CofferClientError("change feed: a secret-changed event is not JSON; ignored."),
        );
        return;
      }
      this.#options.onChange(data);
    }
  }

  #isClosed(): boolean {
    return this.#state === "closed";
  }

  #fail(error: Error): void {
    if (this.#state === "closed" || this.#state === "unsupported") return;
    this.#options.onError(error);
    this.#state = "waiting";
    const base = this.#serverRetryMs ?? this.#initialDelayMs;
    const delay = Math.min(this.#maxDelayMs, base * 2 ** Math.min(this.#attempt, 16));
    this.#attempt += 1;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        void this.#connect();
      },
      delay / 2 + (Math.random() * delay) / 2,
    );
    this.#timer.unref();
  }
}

function errorType(body: string): string | undefined {
  try {
    const type = (JSON.parse(body) as { __type?: unknown }).__type;
    return typeof type === "string" ? type.slice(type.lastIndexOf("#") + 1) : undefined;
  } catch {
    return undefined;
  }
}
