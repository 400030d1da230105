/** Settings of the example, read once from the environment. The only reader of `process.env` here. */
export interface StockQuotesConfig {
  /** The secret holding `{"apiKey": "…"}`: `SECRET_ID`, default "alpha-vantage". */
  readonly secretId: string;
  /** `ALPHA_VANTAGE_BASE_URL`, default https://www.alphavantage.co (tests point it at a fixture server). */
  readonly alphaVantageBaseUrl: URL;
  /** `ALPHA_VANTAGE_TIMEOUT_MS`, default 10 000: how long one Alpha Vantage request may take. */
  readonly timeoutMs: number;
  /** `QUOTES_BARS`, default 10: how many of the latest bars to show or return (1–100). */
  readonly bars: number;
}

export const defaultSecretId = "alpha-vantage";
export const defaultAlphaVantageBaseUrl = "https://www.alphavantage.co";
/** Alpha Vantage's compact output holds the latest 100 bars. */
export const maxBars = 100;

/** A setting that cannot be used; the message names the variable, never echoes its value. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): StockQuotesConfig {
  return Object.freeze({
    secretId: nonEmpty(env.SECRET_ID) ?? defaultSecretId,
    alphaVantageBaseUrl: httpUrl("ALPHA_VANTAGE_BASE_URL", nonEmpty(env.ALPHA_VANTAGE_BASE_URL)),
    timeoutMs: integer("ALPHA_VANTAGE_TIMEOUT_MS", env.ALPHA_VANTAGE_TIMEOUT_MS, 10_000, 1, 900_000),
    bars: integer("QUOTES_BARS", env.QUOTES_BARS, 10, 1, maxBars),
  });
}

/** Parses a bar count (from a CLI option or an event); undefined when absent, ConfigError when unusable. */
export function parseBars(name: string, value: string | number | undefined): number | undefined {
  const text = value === undefined ? "" : String(value).trim();
  return text ? integer(name, text, 1, 1, maxBars) : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function httpUrl(name: string, value: string | undefined): URL {
  if (value === undefined) return new URL(defaultAlphaVantageBaseUrl);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(`${name} must be an http:// or https:// URL`);
  }
  if (url.username || url.password || url.search) {
    throw new ConfigError(`${name} must not carry credentials or a query string`);
  }
  return url;
}

function integer(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = value?.trim();
  if (!text) return fallback;
  const parsed = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}`);
  }
  return parsed;
}
