/**
 * An error the server answered with, as AWS names it: `name` is the AWS error code
 * (`AccessDeniedException`, `ResourceNotFoundException`…), `message` the server's text as is.
 * `status` is the HTTP status (0 when the request never got an answer).
 */
export class ApiError extends Error {
  override readonly name: string;
  readonly status: number;

  constructor(name: string, message: string, status: number) {
    super(message);
    this.name = name;
    this.status = status;
  }
}

/** `{ name, message }` of anything thrown by an API call, for display. */
export function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof ApiError) return { name: error.name, message: error.message };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: "Error", message: String(error) };
}

/** The AWS error code in `__type` or `x-amzn-errortype` (`prefix#Name:detail` → `Name`). */
export function awsErrorName(raw: string): string {
  const afterHash = raw.includes("#") ? raw.slice(raw.lastIndexOf("#") + 1) : raw;
  return afterHash.split(":", 1)[0] ?? afterHash;
}

/** An AWS JSON 1.1 error reply as `ApiError`. */
export function jsonError(status: number, body: string, typeHeader: string | null): ApiError {
  let parsed: Record<string, unknown> = {};
  try {
    const value: unknown = JSON.parse(body);
    if (value && typeof value === "object") parsed = value as Record<string, unknown>;
  } catch {
    // Not JSON: the status tells what little there is.
  }
  const type = typeof parsed.__type === "string" ? parsed.__type : (typeHeader ?? `HTTP${status}`);
  const message =
    typeof parsed.message === "string"
      ? parsed.message
      : typeof parsed.Message === "string"
        ? parsed.Message
        : `The server answered ${status}.`;
  return new ApiError(awsErrorName(type), message, status);
}

/** An AWS Query protocol error reply (`<ErrorResponse><Error><Code>…`) as `ApiError`. */
export function xmlError(status: number, body: string): ApiError {
  const doc = new DOMParser().parseFromString(body, "application/xml");
  const code = doc.getElementsByTagName("Code")[0]?.textContent ?? `HTTP${status}`;
  const message = doc.getElementsByTagName("Message")[0]?.textContent ?? `The server answered ${status}.`;
  return new ApiError(code, message, status);
}
