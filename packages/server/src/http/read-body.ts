import type { IncomingMessage } from "node:http";
import { RequestAbortedException, RequestEntityTooLargeException } from "../errors/catalog.js";

/**
 * Collects the body, refusing early (by Content-Length) or as soon as it grows past the limit. A
 * body cut short — the client went away, or the server's request time-out closed a slow upload —
 * is a {@link RequestAbortedException}: the client's doing, not a server fault.
 */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooLarge = () =>
    new RequestEntityTooLargeException(
      `The request body is larger than the ${maxBytes} bytes this server accepts; a secret value can be at most 65,536 bytes.`,
    );
  const declared = Number(request.headers["content-length"] ?? "0");
  if (declared > maxBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        request.removeAllListeners("data");
        request.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () =>
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)),
    );
    const aborted = () =>
      reject(
        new RequestAbortedException(
          `The connection closed after ${size} bytes of the request body; the request was not processed.`,
        ),
      );
    request.on("error", aborted);
    request.on("close", () => {
      if (!request.complete) aborted();
    });
  });
}
