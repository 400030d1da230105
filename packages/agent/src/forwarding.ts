import type { IncomingHttpHeaders } from "node:http";

/** Headers only a proxy adds; any `X-Forwarded-*` counts too (`-For`, `-Host`, `-Proto`, …). */
const PROXY_HEADERS = ["forwarded", "via", "x-real-ip"] as const;

/**
 * The first header that says the request came through a proxy or was relayed, or undefined. The
 * agent answers only processes on this host: a relayed request may be a server-side request forgery,
 * so it is refused on every path, before the token is looked at.
 */
export function forwardingHeader(headers: IncomingHttpHeaders): string | undefined {
  for (const name of PROXY_HEADERS) if (headers[name] !== undefined) return name;
  for (const name in headers) if (name.startsWith("x-forwarded-")) return name;
  return undefined;
}
