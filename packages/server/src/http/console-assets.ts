import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The web console (`packages/console`, built by Vite into `packages/server/console`), served at
 * `/console/`: static files, `index.html` for the app's own routes, `/console/config.json` (the
 * region to sign for and the server's version), and a browser's `GET /` redirected there. Every
 * reply carries a strict Content-Security-Policy: scripts, styles and requests from this origin
 * only, nothing inline, no framing (docs/adr/0012-console-sessions.md). The console holds no
 * privileges: everything it does is a SigV4-signed API call through the request pipeline.
 */
export interface ConsoleAssetsOptions {
  /** The region the console signs for (the server's default region). */
  region: string;
  /** The server's version, shown by the console. */
  version: string;
  /** Where the built console lives; by default `packages/server/console` beside `dist/`. */
  root?: string;
}

/** Answers the request when it is the console's (true), or leaves it to the API (false). */
export type ConsoleAssets = (request: IncomingMessage, response: ServerResponse) => boolean;

export const consoleContentSecurityPolicy =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const securityHeaders: Array<[string, string]> = [
  ["content-security-policy", consoleContentSecurityPolicy],
  ["x-content-type-options", "nosniff"],
  ["referrer-policy", "no-referrer"],
  ["x-frame-options", "DENY"],
  ["cross-origin-opener-policy", "same-origin"],
];

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

const notBuiltMessage =
  "The web console is not built. Run `npm run build` (or `npm run build -w @coffer/console`) in the " +
  "Coffer repository, then reload this page.\n";

export const defaultConsoleRoot = fileURLToPath(new URL("../../console/", import.meta.url));

export function createConsoleAssets(options: ConsoleAssetsOptions): ConsoleAssets {
  const root = resolve(options.root ?? defaultConsoleRoot);
  const config = JSON.stringify({ region: options.region, version: options.version });
  return (request, response) => {
    const method = request.method ?? "GET";
    const rawUrl = request.url ?? "/";
    // The API's calls (POST /) leave at once: this check is all they pay.
    if (method === "POST" && !rawUrl.startsWith("/console")) return false;
    const path = rawUrl.split("?", 1)[0] ?? "/";
    if (path === "/" && (method === "GET" || method === "HEAD") && acceptsHtml(request)) {
      finish(
        request,
        response,
        302,
        [
          ["location", "/console/"],
          ["cache-control", "no-store"],
        ],
        "",
      );
      return true;
    }
    if (path !== "/console" && !path.startsWith("/console/")) return false;
    if (method !== "GET" && method !== "HEAD") {
      finish(request, response, 405, [["allow", "GET, HEAD"], ...textHeaders()], "Method not allowed.\n");
      return true;
    }
    if (path === "/console") {
      finish(
        request,
        response,
        301,
        [
          ["location", "/console/"],
          ["cache-control", "no-store"],
        ],
        "",
      );
      return true;
    }
    if (path === "/console/config.json") {
      finish(
        request,
        response,
        200,
        [
          ["content-type", contentTypes[".json"] as string],
          ["cache-control", "no-store"],
        ],
        config,
      );
      return true;
    }
    serveFile(root, path.slice("/console/".length), request, response);
    return true;
  };
}

function serveFile(root: string, relative: string, request: IncomingMessage, response: ServerResponse): void {
  const file = safeResolve(root, relative);
  if (file === undefined) {
    finish(request, response, 404, textHeaders(), "Not found.\n");
    return;
  }
  const isIndex = file === resolve(root, "index.html") || relative === "";
  readFile(isIndex ? resolve(root, "index.html") : file).then(
    (body) => {
      const hashed = relative.startsWith("assets/");
      const type = contentTypes[extname(isIndex ? "index.html" : file)] ?? "application/octet-stream";
      const cache = isIndex ? "no-store" : hashed ? "public, max-age=31536000, immutable" : "no-cache";
      finish(
        request,
        response,
        200,
        [
          ["content-type", type],
          ["cache-control", cache],
        ],
        body,
      );
    },
    () => {
      // A route of the app (no file extension) is the app's to show; a missing file is a 404.
      const lastSegment = relative.split("/").pop() ?? "";
      if (!isIndex && !relative.startsWith("assets/") && !lastSegment.includes(".")) {
        serveFile(root, "", request, response);
        return;
      }
      readFile(resolve(root, "index.html")).then(
        () => finish(request, response, 404, textHeaders(), "Not found.\n"),
        () => finish(request, response, 404, textHeaders(), notBuiltMessage),
      );
    },
  );
}

/** The file under root a request names, or undefined for anything that would leave root. */
function safeResolve(root: string, relative: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relative);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return undefined;
  if (decoded.split("/").some((segment) => segment === ".." || segment.startsWith("."))) return undefined;
  const file = resolve(root, decoded === "" ? "index.html" : decoded);
  if (file !== root && !file.startsWith(root + sep)) return undefined;
  return file;
}

function acceptsHtml(request: IncomingMessage): boolean {
  const accept = request.headers.accept;
  return typeof accept === "string" && accept.includes("text/html");
}

function textHeaders(): Array<[string, string]> {
  return [
    ["content-type", "text/plain; charset=utf-8"],
    ["cache-control", "no-store"],
  ];
}

function finish(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  headers: Array<[string, string]>,
  body: string | Buffer,
): void {
  const flat: Array<string | number> = [];
  for (const [name, value] of [...securityHeaders, ...headers]) flat.push(name, value);
  flat.push("content-length", Buffer.byteLength(body));
  // The request's body, if any, is not ours to read; drain it so keep-alive connections stay usable.
  request.resume();
  response.writeHead(status, flat);
  response.end(request.method === "HEAD" ? undefined : body);
}
