import { UnknownOperationException, UnsupportedMediaTypeException } from "../errors/catalog.js";
import type { ApiDescriptor, OperationDescriptor, QueryApiDescriptor } from "../operations/operation.js";
import { headerOf, type TransportCall, truncate } from "./transport-call.js";

/** A call framed as an operation of one of the APIs. */
export interface FramedCall {
  api: ApiDescriptor;
  operation: OperationDescriptor;
  /** The Query protocol's form, read once to frame the call (its `Action`) and decoded again to parse it. */
  form: ReadonlyMap<string, string> | undefined;
}

/**
 * A Query call (STS): its API is known from the content type, its operation only once the body is
 * read (`Action=…`), by `frameQuery` (frame-query.ts).
 */
export interface QueryCallPending {
  api: QueryApiDescriptor;
  operation: undefined;
  form: undefined;
}

const jsonContentTypes = new Set(["application/x-amz-json-1.1", "application/x-amz-json-1.0"]);
const formContentType = "application/x-www-form-urlencoded";

/**
 * Phase 1, frame: `POST /` with a content type that names the protocol. AWS JSON: an
 * `X-Amz-Target` naming a known operation. The Query protocol (STS's form body): its API, the
 * operation following from the body. Anything else is a 4xx before the body is read.
 */
export function frame(call: TransportCall, apis: readonly ApiDescriptor[]): FramedCall | QueryCallPending {
  const { method, url } = call;
  if (method !== "POST" || (url !== "/" && !url.startsWith("/?"))) {
    throw new UnknownOperationException(
      `Coffer answers AWS Secrets Manager requests at POST / (got ${method} ${truncate(url)}).`,
    );
  }
  const rawContentType = headerOf(call, "content-type");
  // The exact value every SDK sends needs no splitting, trimming or lower-casing.
  const contentType =
    rawContentType === "application/x-amz-json-1.1"
      ? rawContentType
      : ((rawContentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "");
  if (!jsonContentTypes.has(contentType)) {
    if (contentType === formContentType) {
      for (const api of apis) {
        if (api.protocol === "awsQuery") return { api, operation: undefined, form: undefined };
      }
    }
    throw new UnsupportedMediaTypeException(
      `Content-Type must be application/x-amz-json-1.1 (got '${truncate(contentType)}').`,
    );
  }
  const target = headerOf(call, "x-amz-target");
  if (target !== undefined) {
    for (const api of apis) {
      if (api.protocol !== "awsJson1_1" || !target.startsWith(api.targetPrefix)) continue;
      const operation = api.operations.get(target.slice(api.targetPrefix.length));
      if (operation) return { api, operation, form: undefined };
    }
  }
  throw new UnknownOperationException(
    target !== undefined
      ? `Unknown operation '${truncate(target)}'; X-Amz-Target must be secretsmanager.<Operation> or coffer.<Operation>.`
      : "Missing X-Amz-Target header; it must name the operation, e.g. secretsmanager.GetSecretValue.",
  );
}
