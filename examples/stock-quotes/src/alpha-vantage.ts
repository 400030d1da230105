/**
 * Alpha Vantage's TIME_SERIES_INTRADAY over the global `fetch`.
 *
 * Alpha Vantage answers HTTP 200 for most failures and says what went wrong in the body:
 * `{"Error Message": …}` for a bad call or key, `{"Note": …}` (older) or `{"Information": …}` (newer)
 * when the rate limit is reached, and `{"Information": …}` for premium-only requests. Each becomes an
 * {@link AlphaVantageError} with a `kind`. No message ever contains the API key: it is only ever
 * written into the request's query string, and any text that comes back is scrubbed of it.
 */

export type Interval = "1min" | "5min" | "15min" | "30min" | "60min";

/** One OHLCV bar; `time` is Alpha Vantage's local time ("2024-11-27 15:55:00", see `timeZone`). */
export interface IntradayBar {
  time: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface IntradaySeries {
  symbol: string;
  interval: string;
  /** The time zone of every `time`, e.g. "US/Eastern". */
  timeZone: string;
  lastRefreshed: string;
  /** Newest first. */
  bars: IntradayBar[];
}

export type AlphaVantageErrorKind =
  /** "Note", or "Information" about call frequency: wait and retry. */
  | "rate-limited"
  /** "Error Message" (invalid call or API key), or "Information" such as a premium-only request. */
  | "rejected"
  /** A non-2xx HTTP status. */
  | "http"
  /** Not the documented JSON. */
  | "malformed"
  /** No answer: DNS, refused or reset connection. */
  | "unreachable"
  | "timeout";

export class AlphaVantageError extends Error {
  override name = "AlphaVantageError";
  constructor(
    readonly kind: AlphaVantageErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export interface IntradayRequest {
  apiKey: string;
  symbol?: string;
  interval?: Interval;
  /** Default https://www.alphavantage.co; a path prefix is kept (http://proxy/av → http://proxy/av/query). */
  baseUrl?: string | URL;
  timeoutMs?: number;
  /** Injected in tests; defaults to the global fetch. */
  fetch?: typeof globalThis.fetch;
}

const maxQuotedLength = 300;

/** Fetches the latest intraday bars (Alpha Vantage's compact output: up to 100). */
export async function fetchIntraday(request: IntradayRequest): Promise<IntradaySeries> {
  const { apiKey, symbol = "AAPL", interval = "5min", timeoutMs = 10_000 } = request;
  if (apiKey.length === 0) throw new AlphaVantageError("rejected", "the Alpha Vantage API key is empty");
  const base = new URL(request.baseUrl ?? "https://www.alphavantage.co");
  if (!base.pathname.endsWith("/")) base.pathname += "/";
  const url = new URL("query", base);
  url.search = new URLSearchParams({
    function: "TIME_SERIES_INTRADAY",
    symbol,
    interval,
    apikey: apiKey,
  }).toString();
  const where = `Alpha Vantage at ${base.origin}`;
  const scrub = scrubber(apiKey);

  let status: number;
  let contentType: string;
  let text: string;
  try {
    const response = await (request.fetch ?? globalThis.fetch)(url, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = response.status;
    contentType = response.headers.get("content-type") ?? "no content type";
    text = await response.text();
  } catch (error) {
    // Never pass the fetch error on: some (an unparsable URL, for one) quote the URL with the key in it.
    if (isNamed(error, "TimeoutError") || isNamed(error, "AbortError")) {
      throw new AlphaVantageError("timeout", `${where} did not answer within ${timeoutMs} ms`);
    }
    throw new AlphaVantageError("unreachable", `could not reach ${where} (${networkReason(error)})`);
  }

  if (status < 200 || status > 299) {
    throw new AlphaVantageError("http", `${where} answered HTTP ${status}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AlphaVantageError(
      "malformed",
      `${where} answered something that is not JSON (${scrub(contentType)})`,
    );
  }
  return parseIntraday(body, { interval, scrub });
}

/**
 * Reads a TIME_SERIES_INTRADAY answer, or throws the {@link AlphaVantageError} its error shape means.
 * `scrub` removes the API key from any text quoted in a message.
 */
export function parseIntraday(
  body: unknown,
  options: { interval?: string; scrub?: (text: string) => string } = {},
): IntradaySeries {
  const { interval = "5min", scrub = (text: string) => text } = options;
  if (!isObject(body))
    throw new AlphaVantageError("malformed", "Alpha Vantage answered JSON that is not an object");

  const errorMessage = body["Error Message"];
  if (typeof errorMessage === "string") {
    throw new AlphaVantageError(
      "rejected",
      `Alpha Vantage rejected the request: ${quote(errorMessage, scrub)}`,
    );
  }
  const note = body.Note;
  if (typeof note === "string") {
    throw new AlphaVantageError("rate-limited", `Alpha Vantage rate limit reached: ${quote(note, scrub)}`);
  }
  const information = body.Information;
  if (typeof information === "string") {
    if (/rate limit|call frequency|requests per|calls per/i.test(information)) {
      throw new AlphaVantageError(
        "rate-limited",
        `Alpha Vantage rate limit reached: ${quote(information, scrub)}`,
      );
    }
    throw new AlphaVantageError(
      "rejected",
      `Alpha Vantage declined the request: ${quote(information, scrub)}`,
    );
  }

  const meta = body["Meta Data"];
  const seriesKey = `Time Series (${interval})`;
  const series = body[seriesKey];
  if (!isObject(meta) || !isObject(series)) {
    const keys = Object.keys(body)
      .slice(0, 5)
      .map((key) => JSON.stringify(quote(key, scrub)));
    throw new AlphaVantageError(
      "malformed",
      `Alpha Vantage answered without "Meta Data" and "${seriesKey}" (keys: ${keys.join(", ") || "none"})`,
    );
  }

  const bars = Object.entries(series).map(([time, fields]) => parseBar(time, fields, scrub));
  bars.sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
  return {
    symbol: metaField(meta, "Symbol", scrub),
    interval: metaField(meta, "Interval", scrub),
    timeZone: metaField(meta, "Time Zone", scrub),
    lastRefreshed: metaField(meta, "Last Refreshed", scrub),
    bars,
  };
}

/** Meta Data keys are numbered ("2. Symbol"), and the numbering differs between functions. */
function metaField(meta: Record<string, unknown>, name: string, scrub: (text: string) => string): string {
  for (const [key, value] of Object.entries(meta)) {
    if (key.replace(/^\d+\.\s*/, "") === name && typeof value === "string") return quote(value, scrub);
  }
  throw new AlphaVantageError("malformed", `Alpha Vantage's "Meta Data" has no "${name}"`);
}

const timePattern = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/;
const barFields = [
  ["open", "1. open"],
  ["high", "2. high"],
  ["low", "3. low"],
  ["close", "4. close"],
  ["volume", "5. volume"],
] as const;

function parseBar(time: string, fields: unknown, scrub: (text: string) => string): IntradayBar {
  if (!timePattern.test(time)) {
    throw new AlphaVantageError(
      "malformed",
      `Alpha Vantage sent a bar with an unexpected time ${JSON.stringify(quote(time, scrub))}`,
    );
  }
  if (!isObject(fields))
    throw new AlphaVantageError("malformed", `Alpha Vantage's bar ${time} is not an object`);
  const bar: IntradayBar = { time, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  for (const [name, key] of barFields) {
    const raw = fields[key];
    const value = typeof raw === "string" && /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : Number.NaN;
    if (!Number.isFinite(value) || (name === "volume" && !Number.isInteger(value))) {
      throw new AlphaVantageError("malformed", `Alpha Vantage's bar ${time} has no valid "${key}"`);
    }
    bar[name] = value;
  }
  return bar;
}

/** Removes the key, raw or URL-encoded, from text that came back, and bounds its length. */
function scrubber(apiKey: string): (text: string) => string {
  const forms = [
    ...new Set([apiKey, encodeURIComponent(apiKey), new URLSearchParams({ k: apiKey }).toString().slice(2)]),
  ];
  return (text) => forms.reduce((scrubbed, form) => scrubbed.replaceAll(form, "[REDACTED]"), text);
}

function quote(text: string, scrub: (text: string) => string): string {
  const scrubbed = scrub(text).trim();
  return scrubbed.length > maxQuotedLength ? `${scrubbed.slice(0, maxQuotedLength)}…` : scrubbed;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isNamed(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}

/** undici's "fetch failed" carries the socket error as its cause: report its code only. */
function networkReason(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  const code = isObject(cause) && typeof cause.code === "string" ? cause.code : undefined;
  if (code && /^[A-Z0-9_]{1,40}$/.test(code)) return code;
  return error instanceof Error ? error.name : "unknown error";
}
