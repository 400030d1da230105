/**
 * Test support: opens `GET /changes` (signed with the AWS SDK's own signer) and reads the
 * Server-Sent Events stream frame by frame. Named `*.test.helper.ts` so it is neither run as a test
 * nor shipped.
 */
import { type ClientRequest, type IncomingMessage, request } from "node:http";
import { signWithSmithy } from "../../auth/sigv4/smithySigner.test.helper.js";

export interface SseFrame {
  id: string | undefined;
  event: string;
  data: string;
}

/** Splits a stream into frames (events and `:` comments) and lets a test wait for the next ones. */
export class SseReader {
  /** Everything received, verbatim: for scanning for what must never appear. */
  raw = "";
  readonly comments: string[] = [];
  private buffered = "";
  private readonly queue: SseFrame[] = [];
  private waiter: (() => void) | undefined;
  private ended = false;
  readonly closed: Promise<void>;

  constructor(response: IncomingMessage) {
    response.setEncoding("utf8");
    response.on("data", (chunk: string) => {
      this.raw += chunk;
      this.buffered += chunk;
      let end = this.buffered.indexOf("\n\n");
      while (end >= 0) {
        this.parse(this.buffered.slice(0, end));
        this.buffered = this.buffered.slice(end + 2);
        end = this.buffered.indexOf("\n\n");
      }
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      const done = () => {
        this.ended = true;
        this.wake();
        resolve();
      };
      response.once("end", done);
      response.once("close", done);
      response.once("error", done);
    });
  }

  private parse(block: string) {
    let id: string | undefined;
    let event = "message";
    const data: string[] = [];
    let fields = 0;
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) {
        this.comments.push(line.slice(1).trim());
        continue;
      }
      const colon = line.indexOf(":");
      const name = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      fields++;
      if (name === "id") id = value;
      else if (name === "event") event = value;
      else if (name === "data") data.push(value);
    }
    if (fields > 0) this.queue.push({ id, event, data: data.join("\n") });
  }

  private wake() {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  /** The next event frame; rejects after `timeoutMs` or when the stream ends first. */
  async next(timeoutMs = 1000): Promise<SseFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.queue.shift();
      if (frame) return frame;
      if (this.ended) throw new Error("the stream ended before the next event");
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Resolves with the frames received so far once nothing more arrived for `quietMs`. */
  async drain(quietMs = 300): Promise<SseFrame[]> {
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    return this.queue.splice(0);
  }
}

export interface OpenedStream {
  response: IncomingMessage;
  reader: SseReader;
  request: ClientRequest;
  close(): void;
}

export interface StreamOptions {
  baseUrl: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  lastEventId?: string;
  since?: string;
  /** Send no Authorization header at all. */
  unsigned?: boolean;
}

/** Opens the stream; resolves once the status line and headers arrived. */
export async function openChangeStream(options: StreamOptions): Promise<OpenedStream> {
  const url = new URL(options.baseUrl);
  const headers: Record<string, string> = { host: url.host, accept: "text/event-stream" };
  if (options.lastEventId !== undefined) headers["last-event-id"] = options.lastEventId;
  const query = options.since !== undefined ? { since: options.since } : undefined;
  let path = query ? `/changes?since=${encodeURIComponent(query.since)}` : "/changes";
  let sentHeaders: Record<string, string | string[] | undefined> = headers;
  if (!options.unsigned) {
    const signed = await signWithSmithy({
      method: "GET",
      path: "/changes",
      ...(query ? { query } : {}),
      headers,
      body: Buffer.alloc(0),
      service: "secretsmanager",
      region: options.region,
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      signingDate: new Date(),
    });
    path = signed.rawUrl;
    sentHeaders = signed.headers;
  }
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: "GET",
        path,
        headers: sentHeaders as Record<string, string>,
      },
      (response) => {
        const reader = new SseReader(response);
        resolve({ response, reader, request: req, close: () => req.destroy() });
      },
    );
    req.on("error", reject);
    req.end();
  });
}
