import { UnknownOperationException, UnsupportedMediaTypeException } from "../errors/catalog.js";
import type { ApiDescriptor, OperationDescriptor } from "../operations/operation.js";
import { headerOf, type TransportCall, truncate } from "./transport-call.js";

/** A call framed as an operation of one of the APIs. */
export interface FramedCall {
  api: ApiDescriptor;
  operation: OperationDescriptor;
}

const jsonContentTypes = new Set(["application/x-amz-json-1.1", "application/x-amz-json-1.0"]);

/**
 * Phase 1, frame: `POST /` with an AWS JSON content type and an `X-Amz-Target` naming a known
 * operation. Anything else is a 4xx before the body is read.
 */
export function frame(call: TransportCall, apis: readonly ApiDescriptor[]): FramedCall {
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
    throw new UnsupportedMediaTypeException(
      `Content-Type must be application/x-amz-json-1.1 (got '${truncate(contentType)}').`,
    );
  }
  const target = headerOf(call, "x-amz-target");
  if (target !== undefined) {
    for (const api of apis) {
      if (!target.startsWith(api.targetPrefix)) continue;
      const operation = api.operations.get(target.slice(api.targetPrefix.length));
      if (operation) return { api, operation };
    }
  }
  throw new UnknownOperationException(
    target !== undefined
      ? `Unknown operation '${truncate(target)}'; X-Amz-Target must be secretsmanager.<Operation> or coffer.<Operation>.`
      : "Missing X-Amz-Target header; it must name the operation, e.g. secretsmanager.GetSecretValue.",
  );
}
