import type { ServerResponse } from "node:http";
import type { AgentError } from "./agent-error.js";

const commonHeaders = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
};

export function replyJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...commonHeaders,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}

export function replyText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, {
    ...commonHeaders,
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}

/** AWS's error envelope: `{"__type": …, "message": …}`. */
export function replyError(response: ServerResponse, error: AgentError): void {
  if (error.status === 405) response.setHeader("allow", "GET");
  replyJson(response, error.status, { __type: error.type, message: error.message });
}
