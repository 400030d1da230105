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

/** A 200 with its body and headers built beforehand (see secret-answer.ts): nothing built per request. */
export function replyAnswer(
  response: ServerResponse,
  answer: { headers: readonly string[]; body: string },
): void {
  response.writeHead(200, answer.headers as string[]);
  response.end(answer.body);
}

/** The headers of a JSON 200, as the flat [name, value, …] list node:http takes as is. */
export function jsonHeaders(length: number): readonly string[] {
  return [
    "cache-control",
    commonHeaders["cache-control"],
    "x-content-type-options",
    commonHeaders["x-content-type-options"],
    "content-type",
    "application/json",
    "content-length",
    String(length),
  ];
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
