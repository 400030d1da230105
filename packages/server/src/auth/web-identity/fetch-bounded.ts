import { fetchableUrlProblem } from "../../domain/identity/oidc-names.js";
import { IssuerUnreachableError } from "./issuer-unreachable.js";
import { maxRedirects } from "./limits.js";
import { shownUrl } from "./shown-url.js";

export interface FetchBounds {
  /** For the whole request, redirects and body included. */
  timeoutMs: number;
  maxBytes: number;
}

export interface FetchedText {
  text: string;
  /** The final answer's `Cache-Control`, if any. */
  cacheControl: string | undefined;
}

/**
 * GETs a small JSON document from an issuer: an acceptable URL only (also after each redirect,
 * followed here so that each target is checked), a 200 answer only, within a time and size bound,
 * UTF-8. Throws {@link IssuerUnreachableError} naming `what` and the URL.
 */
export async function fetchBounded(url: string, what: string, bounds: FetchBounds): Promise<FetchedText> {
  const signal = AbortSignal.timeout(bounds.timeoutMs);
  let target = parseUrl(url, what);
  for (let hop = 0; ; hop += 1) {
    const problem = fetchableUrlProblem(target);
    if (problem !== undefined)
      throw new IssuerUnreachableError(`The ${what} URL ${shownUrl(target)} is refused: ${problem}.`);
    let response: Response;
    try {
      response = await fetch(target, { redirect: "manual", signal, headers: { accept: "application/json" } });
    } catch (cause) {
      throw new IssuerUnreachableError(
        `Could not fetch the ${what} from ${shownUrl(target)}: ${reason(cause, bounds)}.`,
        {
          cause,
        },
      );
    }
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel();
      if (hop >= maxRedirects) {
        throw new IssuerUnreachableError(
          `The ${what} at ${shownUrl(url)} redirects more than ${maxRedirects} times.`,
        );
      }
      target = parseUrl(new URL(location, target).href, what);
      continue;
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new IssuerUnreachableError(
        `The ${what} at ${shownUrl(target)} answered HTTP ${response.status}, not 200.`,
      );
    }
    const text = await readBounded(response, target, what, bounds);
    return { text, cacheControl: response.headers.get("cache-control") ?? undefined };
  }
}

async function readBounded(response: Response, url: URL, what: string, bounds: FetchBounds): Promise<string> {
  const tooLarge = () =>
    new IssuerUnreachableError(`The ${what} at ${shownUrl(url)} is larger than ${bounds.maxBytes} bytes.`);
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > bounds.maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    if (response.body !== null) {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > bounds.maxBytes) {
          await reader.cancel();
          throw tooLarge();
        }
        chunks.push(value);
      }
    }
  } catch (cause) {
    if (cause instanceof IssuerUnreachableError) throw cause;
    throw new IssuerUnreachableError(
      `Could not read the ${what} from ${shownUrl(url)}: ${reason(cause, bounds)}.`,
      {
        cause,
      },
    );
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new IssuerUnreachableError(`The ${what} at ${shownUrl(url)} is not UTF-8 text.`);
  }
}

function parseUrl(url: string, what: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new IssuerUnreachableError(`The ${what} URL is not a URL.`);
  }
}

function reason(cause: unknown, bounds: FetchBounds): string {
  if (cause instanceof Error && (cause.name === "TimeoutError" || cause.name === "AbortError")) {
    return `no answer within ${bounds.timeoutMs} ms`;
  }
  const code = (cause as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  if (typeof code === "string") return code;
  return cause instanceof Error ? cause.message : "unknown error";
}
