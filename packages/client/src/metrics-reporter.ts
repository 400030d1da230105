import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Socket } from "node:net";
import { hostname } from "node:os";
import { CofferClientError } from "./errors.js";
import { type SigningTarget, signedHeaders } from "./signed-headers.js";

/** What a client or the agent reports (`coffer.ReportClientMetrics`): counts since its last report. */
export interface ClientMetricsCounts {
  coldStarts: number;
  cacheHits: number;
  cacheMisses: number;
}

export interface MetricsReporterOptions {
  /** Seconds between reports (at least 1). */
  intervalSeconds: number;
  /** Letters, digits and `._:@/-`, up to 128 characters; default: this host's name. */
  clientId?: string | undefined;
  kind: "client" | "agent";
  /** The Coffer endpoint and how to sign for it; undefined when there is no Coffer source to report to. */
  target: () => Promise<SigningTarget | undefined>;
  /** Told when a report fails (never a value: reports carry counts only). */
  onError: (error: Error) => void;
  /** Milliseconds one report may take. Default 10 s. */
  timeoutMs?: number | undefined;
}

/** The most one count of one report may be (the server's bound). */
const MAX_COUNT = 1_000_000_000;
const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$/;

/** A client id the server accepts from any text: other characters become `-`, cut to 128. */
export function clientIdFrom(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9._:@/-]/g, "-").slice(0, 128);
  return /^[A-Za-z0-9]/.test(cleaned) ? cleaned : `c${cleaned}`.slice(0, 128);
}

/**
 * Counts cache hits, misses and this process's cold start, and sends them to Coffer every
 * `intervalSeconds` (`coffer.ReportClientMetrics`, SigV4-signed with the Coffer source's
 * credentials). It never keeps the process alive (unref'd timer and socket), never throws into
 * the caller (failures go to `onError`; counts not delivered are sent with the next report), and
 * stops for good after the server refuses it (AccessDeniedException: the caller lacks
 * `coffer:ReportClientMetrics`), so a misconfigured client does not fill the audit trail.
 */
export class MetricsReporter {
  readonly #options: MetricsReporterOptions;
  readonly #clientId: string;
  readonly #intervalMs: number;
  #counts: ClientMetricsCounts = { coldStarts: 0, cacheHits: 0, cacheMisses: 0 };
  #started = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #lastReportAt = Date.now();
  #inFlight: Promise<void> | undefined;
  /** The socket of the report in flight, if any. */
  #socket: Socket | undefined;

  constructor(options: MetricsReporterOptions) {
    if (!Number.isFinite(options.intervalSeconds) || options.intervalSeconds < 1) {
      throw new CofferClientError("reportMetrics: the interval must be at least 1 second.");
    }
    if (options.clientId !== undefined && !CLIENT_ID.test(options.clientId)) {
      throw new CofferClientError(
        "reportMetrics: clientId must be letters, digits and ._:@/- (starting with a letter or digit), up to 128 characters.",
      );
    }
    this.#options = options;
    this.#clientId = options.clientId ?? clientIdFrom(hostname() || "client");
    this.#intervalMs = Math.min(options.intervalSeconds, 86_400) * 1000;
  }

  get clientId(): string {
    return this.#clientId;
  }

  /** A foreground read served from the cache. */
  hit(): void {
    if (this.#stopped) return;
    this.#counts.cacheHits++;
    this.#start();
  }

  /** A foreground read that went to a source; the first one is this process's cold start. */
  miss(): void {
    if (this.#stopped) return;
    this.#counts.cacheMisses++;
    if (!this.#started) this.#counts.coldStarts++;
    this.#start();
  }

  /**
   * Sends what is counted now (nothing when nothing was counted). Never rejects. `awaited`: the
   * caller waits for it (close), so the request may hold the process open until it is answered
   * (at most the time-out); a report of the interval never does.
   */
  flush(awaited = false): Promise<void> {
    this.#inFlight ??= this.#send(awaited).finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  /** Stops the timer and sends what is left. Never rejects. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    // A report of the interval still in flight is awaited here: it now holds the process open too.
    this.#socket?.ref();
    await this.#inFlight;
    await this.flush(true);
    this.#stopped = true;
  }

  #start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#lastReportAt = Date.now();
    this.#timer = setInterval(() => void this.flush(), this.#intervalMs);
    this.#timer.unref();
  }

  async #send(awaited: boolean): Promise<void> {
    if (this.#stopped) return;
    const counts = this.#counts;
    if (counts.coldStarts + counts.cacheHits + counts.cacheMisses === 0) return;
    this.#counts = { coldStarts: 0, cacheHits: 0, cacheMisses: 0 };
    const now = Date.now();
    const periodSeconds = Math.min(86_400, Math.max(1, Math.round((now - this.#lastReportAt) / 1000)));
    try {
      const target = await this.#options.target();
      if (target === undefined) return;
      const body = JSON.stringify({
        ClientId: this.#clientId,
        Kind: this.#options.kind,
        ColdStarts: Math.min(counts.coldStarts, MAX_COUNT),
        CacheHits: Math.min(counts.cacheHits, MAX_COUNT),
        CacheMisses: Math.min(counts.cacheMisses, MAX_COUNT),
        PeriodSeconds: periodSeconds,
      });
      const status = await this.#post(target, body, awaited);
      if (status.ok) {
        this.#lastReportAt = now;
        return;
      }
      if (status.type === "AccessDeniedException") {
        this.#stopped = true;
        if (this.#timer !== undefined) clearInterval(this.#timer);
        throw new CofferClientError(
          "Reporting metrics stopped: the server refused ReportClientMetrics (grant coffer:ReportClientMetrics to this client's principal).",
        );
      }
      throw new CofferClientError(
        `Reporting metrics failed: the server answered ${status.code} ${status.type}.`,
      );
    } catch (error) {
      if (!this.#stopped) this.#keep(counts);
      this.#options.onError(error instanceof Error ? error : new CofferClientError(String(error)));
    }
  }

  /** Counts a failed report carried go back, to be sent with the next one (bounded). */
  #keep(counts: ClientMetricsCounts): void {
    this.#counts.coldStarts = Math.min(MAX_COUNT, this.#counts.coldStarts + counts.coldStarts);
    this.#counts.cacheHits = Math.min(MAX_COUNT, this.#counts.cacheHits + counts.cacheHits);
    this.#counts.cacheMisses = Math.min(MAX_COUNT, this.#counts.cacheMisses + counts.cacheMisses);
  }

  async #post(
    target: SigningTarget,
    body: string,
    awaited: boolean,
  ): Promise<{ ok: boolean; code: number; type: string }> {
    const url = new URL("/", target.url);
    const headers = await signedHeaders(target, {
      method: "POST",
      url,
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "coffer.ReportClientMetrics" },
      body,
    });
    return new Promise((resolve, reject) => {
      const request = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, {
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        agent: false,
      });
      // A report of the interval never keeps the process alive; the last one, which close() awaits, may.
      request.on("socket", (socket) => {
        this.#socket = socket;
        if (!awaited) socket.unref();
      });
      request.setTimeout(this.#options.timeoutMs ?? 10_000, () =>
        request.destroy(new CofferClientError("Reporting metrics timed out.")),
      );
      request.on("error", reject);
      request.on("response", (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => {
          if (chunks.length < 64) chunks.push(chunk);
        });
        response.on("error", reject);
        response.on("end", () => {
          const code = response.statusCode ?? 0;
          let type = "";
          try {
            const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { __type?: unknown };
            if (typeof parsed.__type === "string") type = parsed.__type.replace(/^.*#/, "");
          } catch {
            // Not a JSON answer: the status says enough.
          }
          resolve({ ok: code === 200, code, type });
        });
      });
      request.end(body);
    }).finally(() => {
      this.#socket = undefined;
    }) as Promise<{ ok: boolean; code: number; type: string }>;
  }
}
