/**
 * What the pipeline needs of a request, whatever carried it (node:http today; the web console's
 * transport later): the request line and headers as received, who sent it, and its body on demand —
 * the pipeline reads it only once the request is framed, and discards it otherwise.
 */
export interface TransportCall {
  method: string;
  /** The request target as received, still percent-encoded. */
  url: string;
  /** Lower-cased names; repeated ones merged (as node:http does). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Name, value, … as received, nothing merged: SigV4 refuses repeated signing headers. */
  rawHeaders: readonly string[];
  sourceIp: string;
  /** The whole body, or a 4xx CofferError (too large, cut short). */
  readBody(maxBytes: number): Promise<Buffer>;
  /** Throws the body away unread, so the connection stays usable. */
  discardBody(): Promise<void>;
}

/** The pipeline's answer to one call, for the transport to write. */
export interface Reply {
  status: number;
  requestId: string;
  /** AWS JSON 1.1, or XML for a Query call (STS). */
  body: string;
  /** `application/x-amz-json-1.1` or `text/xml`: the protocol of the API the call was framed for. */
  contentType: string;
  /** `x-amzn-errortype` for a failure. */
  errorType?: string | undefined;
}

export function headerOf(call: Pick<TransportCall, "headers">, name: string): string | undefined {
  const value = call.headers[name];
  return typeof value === "string" ? value : undefined;
}

export function truncate(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
